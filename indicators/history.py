"""The audit trail of figures (DOMAIN §2: nothing entered is ever lost or altered).

Every write of a figure leaves a django-simple-history record: who, when, the value, the status
and why. These reads turn the records into the lines the history page and its Excel show.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

from .models import Area, Figure, Indicator


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change of a figure: who, when, the value before and after, and why."""

    year: int
    month: int
    area: str
    when: object  # datetime
    who: str
    action: str  # 新增 / 修改 / 删除
    old_value: Decimal | None
    new_value: Decimal | None
    status: str  # the status label after the change
    reason: str

    @staticmethod
    def _plain(value):
        return "" if value is None else f"{value.normalize():f}"

    @property
    def old_text(self) -> str:
        """The old value as typed (12.5, not 12.500000)."""
        return self._plain(self.old_value)

    @property
    def new_text(self) -> str:
        return self._plain(self.new_value)


def figure_history(
    indicator: Indicator, area: Area | None = None, *, areas=None, year: int | None = None
):
    """Every recorded change of `indicator`'s figures at `area` (or `areas`), newest first.

    One query; the old value of each change is the new value of the change before it.
    """
    records = Figure.history.filter(indicator_id=indicator.pk).select_related(
        "history_user", "area"
    )
    if area is not None:
        records = records.filter(area_id=area.pk)
    if areas is not None:
        records = records.filter(area_id__in=[a.pk for a in areas])
    if year is not None:
        records = records.filter(year=year)
    # Stored in Chinese (the Excel log is the official record); the page translates them.
    actions = {"+": gettext_noop("新增"), "~": gettext_noop("修改数值"), "-": gettext_noop("删除")}
    statuses = dict(Figure.Status.choices)
    last, entries = {}, []
    for r in records.order_by("history_date", "history_id"):
        user = r.history_user
        entries.append(
            HistoryEntry(
                year=r.year,
                month=r.month,
                area=r.area.name if r.area else "",
                when=r.history_date,
                who=(user.first_name or user.get_username()) if user else gettext_noop("系统"),
                action=gettext_noop("状态变更")
                if r.history_type == "~" and last.get(r.id) == r.value
                else actions.get(r.history_type, r.history_type),
                old_value=last.get(r.id),
                new_value=None if r.history_type == "-" else r.value,
                status=str(statuses.get(r.status, r.status)),
                reason=r.history_change_reason or "",
            )
        )
        last[r.id] = r.value
    return entries[::-1]
