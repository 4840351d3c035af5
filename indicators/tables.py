"""The core's tables over summary rows (django-tables2, rendered by `FastTable`): they format
numbers with `formatting`, never compute them."""

import html

import django_tables2 as tables
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import formatting as fmt
from .fasttable import FastTable
from .models import Light


class NumberColumn(tables.Column):
    """A figure in the indicator's display decimals."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return fmt.figure(value, record.indicator.decimals)


class PercentColumn(NumberColumn):
    def render(self, value):
        return fmt.percent(value)


class PointsColumn(NumberColumn):
    def render(self, value):
        return fmt.number(value, 1) if value is None or value <= 0 else f"+{fmt.number(value, 1)}"


class CompletionColumn(NumberColumn):
    """The percentage the gap is computed from (完成, 净增进度, 已用上限), as a bar with the row's
    own 时序进度 mark, so lagging rows are seen before they are read. A 增速 indicator has no
    completion: its rate is shown instead, without a bar.

    The bar is inline SVG: its geometry is in attributes, which the Content-Security-Policy
    allows, where a style="" attribute would be blocked."""

    def render(self, value, record):
        # Runs once per row of every table, so plain formatting: every piece is a number or a
        # light name from a fixed set, and the title is escaped.
        ind = record.indicator
        words = bar_words()
        if ind.is_growth_rate:
            return mark_safe(
                f'<span class="bar-text">{words["growth"]} {fmt.percent(value)}</span>'
            )
        pace = record.time_progress_pct
        title = f"{words['pace']} {html.escape(fmt.percent(pace))}"
        label = ""
        if ind.is_reverse and ind.is_cumulative:
            label = f"{words['cap']} "
        elif not ind.is_cumulative and record.baseline is not None:
            label = f"{words['net']} "
        return mark_safe(
            f"{bar_svg(value, pace, record.light, title)} "
            f'<span class="bar-text">{label}{fmt.percent(value)}</span>'
        )


_bar_words: dict = {}


def bar_words() -> dict:
    """The completion cell's words, escaped, per language and 时序进度 word (once, not per row)."""
    key = (get_language(), getattr(settings, "PACE_WORD", None))
    found = _bar_words.get(key)
    if found is None:
        found = _bar_words[key] = {
            "pace": html.escape(fmt.page_pace_word()),
            "growth": html.escape(str(_("增速"))),
            "cap": html.escape(str(_("已用上限"))),
            "net": html.escape(str(_("净增"))),
        }
    return found


def bar_svg(value, pace, light, title) -> str:
    """The completion bar: a track, the fill up to `value` % and a mark at `pace` %, both
    clipped to 0–100; `title` (escaped by the caller) is its tooltip and accessible name."""
    width = f"{max(min(float(value), 100), 0):.1f}" if value is not None else "0"
    mark = None if pace is None else f"{max(min(float(pace), 100), 0) - 1:.1f}"
    return (
        f'<svg class="bar" viewBox="0 0 100 14" preserveAspectRatio="none" width="90" height="11"'
        f' role="img" aria-label="{title}"><title>{title}</title>'
        f'<rect class="track" y="2" width="100" height="10"/>'
        f'<rect class="fill fill-{light or "none"}" y="2" width="{width}" height="10"/>'
        + (f'<rect class="mark" x="{mark}" width="2" height="14"/>' if mark is not None else "")
        + "</svg>"
    )


class ChangeColumn(NumberColumn):
    """同比: in % for amounts and levels, in 个百分点 for rates (DOMAIN §2)."""

    def render(self, value, record):
        if record.indicator.is_rate:
            return fmt.points(record.yoy_change)
        return fmt.percent(value)


LIGHTS = frozenset(Light.values)
_badges: dict = {}


def light_badge(value) -> str:
    """The light as a chip: its word, coloured by its value (includes/light.html too). One
    of six per language, built once (a town's tables show one per indicator)."""
    key = (value if value in LIGHTS else None, get_language())
    found = _badges.get(key)
    if found is None:
        found = _badges[key] = _badge(key[0])
    return found


def _badge(value) -> str:
    if value is None:
        return mark_safe('<span class="light light-none">—</span>')
    label = html.escape(Light.label_of(value))
    title = ""
    if value == Light.BLUE:
        title = f' title="{html.escape(str(_("已完成全年目标")))}"'
    return mark_safe(f'<span class="light light-{value}"{title}>{label}</span>')


class LightColumn(tables.Column):
    """The same badge as includes/light.html."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value):
        return light_badge(value)


def cells(name, numeric=False):
    """A column's <td>/<th> classes: `col-NAME` lets the phone layout (app.css) keep the
    cells a reader needs there, and `num` right-aligns figures."""
    css = f"num col-{name}" if numeric else f"col-{name}"
    return {"td": {"class": css}, "th": {"class": css}}


class ActualColumn(NumberColumn):
    """累计/期末, carrying its unit for the phone layout, where the 单位 column is hidden and
    app.css writes the unit after the number."""

    def render(self, value, record):
        unit = html.escape(record.indicator.unit, quote=True)
        figure = fmt.figure(value, record.indicator.decimals)
        return mark_safe(f'<span data-unit="{unit}">{figure}</span>')


class SummaryTable(FastTable):
    """The summary rows of one area and month (the same rows the API returns). Each row
    carries its light as a class, so lagging rows stand out in print and in black and white."""

    name = tables.Column(
        _("指标"), accessor="indicator__name", order_by=("indicator__code",), attrs=cells("name")
    )
    unit = tables.Column(
        _("单位"), accessor="indicator__unit", orderable=False, attrs=cells("unit")
    )
    target = NumberColumn(_("目标"), attrs=cells("target", True))
    actual = ActualColumn(_("累计/期末"), attrs=cells("actual", True))
    month_value = NumberColumn(_("当月"), attrs=cells("month", True))
    progress_pct = CompletionColumn(_("完成进度"), attrs=cells("progress", True))
    gap_pp = PointsColumn(_("进度差(个百分点)"), attrs=cells("gap", True))
    yoy_pct = ChangeColumn(_("同比"), attrs=cells("yoy", True))
    department = tables.Column(
        _("牵头部门"), accessor="indicator__department__name", attrs=cells("department")
    )
    light = LightColumn(_("亮灯"), attrs=cells("light"))

    class Meta(FastTable.Meta):
        orderable = True
        attrs = {"class": "data summary"}
        row_attrs = {"class": lambda record: f"row-{record.light or 'none'}"}

    def __init__(self, *args, area=None, include_submitted=False, **kwargs):
        self.area = area
        self.include_submitted = include_submitted
        self.links = {}
        super().__init__(*args, **kwargs)

    def render_name(self, value, record):
        key = (record.year, record.month)
        if key not in self.links:  # one query string per period, not one per row
            params = {"area": self.area.code, "year": record.year, "month": record.month}
            if self.include_submitted:
                params["include_submitted"] = 1
            self.links[key] = urlencode(params)
        target = record.target
        hints = []
        growth = record.target_growth_pct
        if growth is not None and not record.indicator.is_growth_rate:
            if fmt.rounded(growth, 1) == 0:
                hints.append(_("目标与上年持平"))
            else:
                words = _("目标增长%(pct)s%%") if growth > 0 else _("目标下降%(pct)s%%")
                hints.append(words % {"pct": fmt.number(abs(growth), 1)})
        if record.period_month is not None and record.period_month != record.month:
            hints.append(_("截至%(month)s") % {"month": fmt.month_label(record.period_month)})
        if record.schedule:
            hints.append(_("序时：%(name)s") % {"name": record.schedule})
        return format_html(
            '<a href="{}?{}" title="{}">{}</a>{}{}',
            indicator_url(record.indicator.code),
            self.links[key],
            fmt.number(target, record.indicator.decimals) if target is not None else "",
            value,
            format_html(' <small class="hint">{}</small>', "，".join(hints)) if hints else "",
            format_html(' <span class="provisional">{}</span>', _("初步数"))
            if record.provisional
            else "",
        )


_urls: dict = {}


def indicator_url(code: str) -> str:
    """`reverse` of an indicator's page, kept per code, URL prefix and URLconf (reversing costs
    more than the rest of a row)."""
    key = (code, get_script_prefix(), get_urlconf())
    found = _urls.get(key)
    if found is None:
        if len(_urls) > 10_000:
            _urls.clear()
        found = _urls[key] = reverse("indicators:indicator", args=[code])
    return found


class VillageTable(FastTable):
    """The villages of one indicator, judged as the town is (the indicator page)."""

    name = tables.Column(_("村"), accessor="area__name")
    value = tables.Column(_("数值"), attrs=NumberColumn.attrs)
    target = tables.Column(_("目标"), attrs=NumberColumn.attrs)
    completion_pct = PercentColumn(_("完成率"))
    gap_pp = PointsColumn(_("进度差(个百分点)"))
    yoy_pct = PercentColumn(_("同比"))
    light = LightColumn(_("亮灯"))

    class Meta(FastTable.Meta):
        orderable = False
        attrs = {"class": "data"}

    def __init__(self, *args, indicator, **kwargs):
        self.places = (indicator.source or indicator).decimals
        super().__init__(*args, **kwargs)

    def render_value(self, value):
        return fmt.number(value, self.places)

    def render_target(self, value):
        return fmt.number(value, self.places)
