from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What leaders and the county read, composed from the indicators and the ledger."""

    name = "reports"
    verbose_name = _("驾驶舱与报表")
