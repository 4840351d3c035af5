"""The ledger's vocabulary for templates (`TaskLight`, `TaskStatus`), next to the core's."""

from .models import Task, TaskLight


def vocabulary(request):
    return {"TaskLight": TaskLight, "TaskStatus": Task.Status}
