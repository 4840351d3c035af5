"""Every persona × every ledger URL × GET and POST (issue 5, item 5).

Readers: everyone in the task's town (the lead department, other departments, leaders,
administrators); not a user of another town. Acting: see tasks/access.py. Anonymous visitors are
sent to the login page; a method a URL does not take answers 405.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tasks import services
from tasks.models import Attachment, ExtensionRequest, Task, TaskEvent

pytestmark = pytest.mark.django_db

PERSONAS = [
    "staff",
    "reviewer",
    "leader",
    "lead_leader",
    "admin",
    "other_department",
    "outsider",
    "anonymous",
]
READERS = {"staff", "reviewer", "leader", "lead_leader", "admin", "other_department"}
EVERYONE = READERS | {"outsider"}


def in_progress(task, staff):
    services.progress_report_save(
        task=task, user=staff, year=2025, month=1, situation="开工", percent=10,
        today=timezone.localdate(),
    )  # fmt: skip


def close_requested(task, staff):
    in_progress(task, staff)
    services.task_close_request(task=task, user=staff, today=timezone.localdate())


def extension_pending(task, staff):
    services.extension_request(
        task=task,
        user=staff,
        new_deadline=task.deadline + datetime.timedelta(days=90),
        reason="冬季停工",
        today=timezone.localdate(),
    )


def with_attachment(task, staff, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    in_progress(task, staff)
    report = task.reports.get()
    item = Attachment(report=report, name="a.pdf", size=3, content_type="application/pdf")
    item.file.save("a.pdf", ContentFile(b"pdf"), save=True)
    return item


def status(task):
    task.refresh_from_db()
    return task.status


# url, GET: who gets 200, POST: who may (others 403/405), data, set-up, effect of an allowed POST
URLS = {
    "ledger": ("/tasks/", EVERYONE, None, {}, None, None),
    "export": ("/tasks/export.xlsx", EVERYONE, None, {}, None, None),
    "print": ("/tasks/print/", EVERYONE, None, {}, None, None),
    "task": ("/tasks/{n}/", READERS, None, {}, None, None),
    "progress": (
        "/tasks/{n}/progress/",
        {"staff"},
        {"staff"},
        {"month": 1, "percent": 20, "situation": "完成2公里"},
        None,
        lambda task: task.reports.filter(percent=20).exists(),
    ),
    "comment": (
        "/tasks/{n}/comment/",
        set(),
        {"reviewer", "leader", "lead_leader", "admin"},
        {"text": "请加快进度"},
        None,
        lambda task: TaskEvent.objects.filter(task=task, kind="comment").exists(),
    ),
    "milestone": (
        "/tasks/{n}/milestones/{m}/done/",
        set(),
        {"staff"},
        {"done_on": "2025-09-20"},
        None,
        lambda task: task.milestones.get().done_on is not None,
    ),
    "close-request": (
        "/tasks/{n}/close/request/",
        set(),
        {"staff", "reviewer"},
        {"note": "已完成"},
        in_progress,
        lambda task: status(task) == Task.Status.CLOSE_REQUESTED,
    ),
    "close-decide": (
        "/tasks/{n}/close/decide/",
        set(),
        {"lead_leader", "admin"},
        {"decision": "approve"},
        close_requested,
        lambda task: status(task) == Task.Status.CLOSED,
    ),
    "extension-request": (
        "/tasks/{n}/extension/request/",
        set(),
        {"staff", "reviewer"},
        {"new_deadline": "2030-06-30", "reason": "征迁未完成"},
        None,
        lambda task: task.extensions.exists(),
    ),
    "extension-decide": (
        "/tasks/{n}/extension/decide/",
        set(),
        {"lead_leader", "admin"},
        {"decision": "approve"},
        extension_pending,
        lambda task: task.extensions.get().decision == ExtensionRequest.Decision.APPROVED,
    ),
    "cancel": (
        "/tasks/{n}/cancel/",
        set(),
        {"admin"},
        {"reason": "区里统一建设"},
        None,
        lambda task: status(task) == Task.Status.CANCELLED,
    ),
    "attachment": ("/tasks/attachments/{a}/", READERS, None, {}, "attachment", None),
}


@pytest.fixture
def matrix_task(task):
    # Actions are judged on the real date: keep the deadline ahead of it.
    task.deadline = timezone.localdate() + datetime.timedelta(days=60)
    task.save(update_fields=["deadline"])
    return task


def prepare(name, task, staff, tmp_path, settings):
    setup = URLS[name][4]
    attachment = None
    if setup == "attachment":
        attachment = with_attachment(task, staff, tmp_path, settings)
    elif setup is not None:
        setup(task, staff)
    url = URLS[name][0].format(
        n=task.number,
        m=task.milestones.get().pk,
        a=attachment.pk if attachment else 0,
    )
    return url


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_get(client, request, matrix_task, staff, tmp_path, settings, persona, name):
    url = prepare(name, matrix_task, staff, tmp_path, settings)
    login(client, request, persona)
    response = client.get(url)
    readers = URLS[name][1]
    if persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif persona in readers:
        assert response.status_code == 200
    elif not readers:
        assert response.status_code == 405  # a POST-only action, whoever asks
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_post(client, request, matrix_task, staff, tmp_path, settings, persona, name):
    url = prepare(name, matrix_task, staff, tmp_path, settings)
    login(client, request, persona)
    _, _readers, writers, data, _, effect = URLS[name]
    response = client.post(url, data)
    if persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif writers is None:
        assert response.status_code == 405  # a page to read, never to post to
    elif persona in writers:
        assert response.status_code == 302, response.content.decode()[:500]
        assert effect(matrix_task), f"{persona} was allowed but nothing changed"
    else:
        assert response.status_code == 403
        assert not effect(matrix_task), f"{persona} was refused but something changed"
