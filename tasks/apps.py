from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = _("重点工作任务")

    def ready(self):
        from indicators.workbook import registry

        from . import services, workbook

        # The ledger plugs its sheets and its part of the demo into the core's registry: the
        # core never imports the ledger.
        workbook.register()
        registry.register_demo_step(services.demo_tasks_load)
