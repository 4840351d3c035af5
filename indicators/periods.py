"""Periods: the one year range, cadences, the month a figure is due, deadlines (DOMAIN §2, §4).

Every page, the API, the workbook and the entry services check years here, so "2000至2100" is
written once. Which month a cadence's figure is due for is a formula (`metrics.period_month`).
"""

import calendar
import datetime

from django.utils import timezone
from django.utils.translation import gettext

from . import metrics
from .models import ReportingWindow

YEAR_MIN, YEAR_MAX = 2000, 2100


def year_in_range(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def year_problem(year: int) -> str | None:
    """A year outside the range the app keeps, in the active language."""
    if year_in_range(year):
        return None
    return gettext("年度应在%(low)s至%(high)s之间") % {"low": YEAR_MIN, "high": YEAR_MAX}


def is_due(cadence: str, month: int) -> bool:
    """Whether a figure of this cadence is due for `month`."""
    return metrics.period_month(cadence, month) == month


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def default_period(today: datetime.date | None = None) -> tuple[int, int]:
    """Last month: around the 5th–10th, staff report the month that just ended."""
    today = today or timezone.localdate()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def period_problem(year: int, month: int, today: datetime.date | None = None) -> str | None:
    """Periods outside the range, or that have not begun, cannot be reported."""
    today = today or timezone.localdate()
    if not (year_in_range(year) and 1 <= month <= 12):
        return gettext("报告期无效：年度应为%(low)s至%(high)s，月份应为1至12") % {
            "low": YEAR_MIN,
            "high": YEAR_MAX,
        }
    if (year, month) > (today.year, today.month):
        return gettext("%(year)s年%(month)s月尚未开始，不能填报：请选择已结束的月份") % {
            "year": year,
            "month": month,
        }
    return None


def deadline(cadence: str, year: int, month: int, *, days: dict | None = None) -> datetime.date:
    """The reporting deadline for a period: the window's day of the following month.

    `days` (cadence → deadline day, from `ReportingWindow.deadline_days()`) saves the query in a loop; a cadence
    without a row is due on the 10th.
    """
    days = ReportingWindow.deadline_days() if days is None else days
    day = days.get(cadence, ReportingWindow.DEFAULT_DEADLINE_DAY)
    return datetime.date(year + month // 12, month % 12 + 1, day)


def is_late(submitted: datetime.datetime, due: datetime.date) -> bool:
    return timezone.localtime(submitted).date() > due
