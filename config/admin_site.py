"""The admin site: the apps and models in the order an administrator (党政办) works, and a
Chinese name for the login-protection app, whose own catalogue has no Chinese.

Installed as `config.admin_site.AdminConfig` in place of `django.contrib.admin`, so
`admin.site` and every `@admin.register` are this site.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _

# Set up the township (areas, departments, who is who), then the catalogue and the year's
# targets, then each month's figures and the rules they are judged by; then the ledger;
# then accounts and the login lockouts. A model not listed here follows, by name.
ORDER = {
    "indicators": [
        "Area",
        "Department",
        "Membership",
        "Category",
        "Indicator",
        "Schedule",
        "Target",
        "Figure",
        "ReportingWindow",
        "LightScheme",
        "ApiToken",
    ],
    "tasks": [
        "Section",
        "Task",
        "ProgressReport",
        "ExtensionRequest",
        "Attachment",
        "TaskEvent",
        "TaskLightChange",
        "TaskLightRule",
    ],
    "auth": ["User", "Group"],
    "axes": ["AccessAttempt", "AccessFailureLog", "AccessLog"],
}
APP_ORDER = list(ORDER)
APP_NAMES = {"axes": _("登录保护")}


def _position(order: list, name: str) -> tuple:
    return (order.index(name), "") if name in order else (len(order), name)


class TrackerAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            label = app["app_label"]
            app["name"] = APP_NAMES.get(label, app["name"])
            app["models"].sort(key=lambda m: _position(ORDER.get(label, []), m["object_name"]))
        return sorted(apps, key=lambda app: _position(APP_ORDER, app["app_label"]))


class AdminConfig(DjangoAdminConfig):
    default_site = "config.admin_site.TrackerAdminSite"
