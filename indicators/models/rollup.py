"""What the caches and the district pages read instead of the figures: the stored
town-by-month roll-up (`indicators/rollup.py` keeps it) and the data version (`versions.py`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import FIGURE_PLACES, figure_field

ROLLUP_DIGITS = 26  # a sum of thousands of figures needs more integer digits than one


class TownMonth(models.Model):
    """The stored roll-up: per town, indicator and month, the sum and number of the figures of
    the town and the areas below it, approved ones and approved plus submitted ones; for a
    (source, `threshold`) of a 达标村数 indicator, how many of them reach the threshold.

    Derived data, never entered: the write services keep it (`rollup.refresh`, in the same
    transaction as the figures), `manage.py rollup_rebuild` rebuilds it. A district's summary
    reads these rows for its towns instead of their millions of figures.
    """

    town = models.ForeignKey("indicators.Area", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    threshold = figure_field(null=True, blank=True)  # set on 达标村数 rows
    approved_total = models.DecimalField(
        max_digits=ROLLUP_DIGITS, decimal_places=FIGURE_PLACES, null=True
    )
    approved_count = models.PositiveIntegerField(default=0)
    counted_total = models.DecimalField(
        max_digits=ROLLUP_DIGITS, decimal_places=FIGURE_PLACES, null=True
    )
    counted_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("镇月度汇总")
        verbose_name_plural = _("镇月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "indicator", "year", "month"],
                condition=Q(threshold__isnull=True),
                name="townmonth_one_sum",
            ),
            models.UniqueConstraint(
                fields=["town", "indicator", "year", "month", "threshold"],
                condition=Q(threshold__isnull=False),
                name="townmonth_one_reach",
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "town"], name="townmonth_period_idx")]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.indicator_id}@{self.town_id}"


class DataVersion(models.Model):
    """One row whose token every write that can change a summary replaces (`versions.bump`):
    cached summaries are keyed by it, so a write makes every older entry unreachable. In the
    database, not the cache, so that every worker process sees the same version."""

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token
