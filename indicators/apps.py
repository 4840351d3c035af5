from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("指标与数据")

    def ready(self):
        from . import signals
        from .workbook import sheets

        # Saves and deletes outside the services keep the caches and the roll-up true too.
        signals.connect()

        # The core's own sheets of the township workbook; other apps register theirs likewise.
        sheets.register()
