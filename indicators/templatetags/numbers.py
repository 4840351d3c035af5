"""Template filters for DOMAIN §7 numbers and the small inline trend lines.

On the page the words around a number follow the active language ("+2.7个百分点", "+2.7 pp");
the Chinese forms are exactly those of `indicators.formatting`, which the bulletin sentences use.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .. import formatting as fmt
from ..tables import light_badge as light_badge_html

register = template.Library()


@register.simple_tag
def light_badge(light):
    """{% light_badge row.light %}: the indicator light chip, as the tables draw it."""
    return light_badge_html(light)


@register.filter
def figure(value, places=2):
    return fmt.figure(value, int(places))


@register.filter
def percent(value):
    return fmt.percent(value)


@register.filter
def points(value):
    if value is None:
        return fmt.DASH
    return _("%(points)s个百分点") % {"points": fmt.with_sign(value)}


@register.filter
def growth(value):
    if value is None:
        return _("同比 —")
    if abs(value) < fmt.FLAT_BELOW:
        return _("同比持平")
    if value >= fmt.HUNDRED:
        return _("同比增长%(times)s倍") % {"times": fmt.number(value / fmt.HUNDRED, 1)}
    pct = fmt.number(abs(value), 1)
    return (_("同比增长%(pct)s%%") if value > 0 else _("同比下降%(pct)s%%")) % {"pct": pct}


@register.filter
def change(row):
    """同比 as the row's kind takes it: "同比增长9.8%" for amounts, counts and levels,
    "同比提高0.8个百分点" for rates (a rate's change is in 个百分点, never in %)."""
    ind = row.indicator
    if ind.is_rate:
        change = row.yoy_change
        if change is None:
            return _("同比 —")
        if fmt.rounded(change, 1) == 0:
            return _("同比持平")
        n = fmt.number(abs(change), 1)
        if change > 0:
            return _("同比提高%(n)s个百分点") % {"n": n}
        if ind.is_growth_rate:
            return _("同比回落%(n)s个百分点") % {"n": n}
        return _("同比降低%(n)s个百分点") % {"n": n}
    return growth(row.yoy_pct)


@register.filter
def progress_label(row):
    """What the percentage beside a gap is (DOMAIN §4): 完成, 净增进度, 已用上限, 增速."""
    ind = row.indicator
    if ind.is_growth_rate:
        return _("增速")
    if ind.is_reverse and ind.is_cumulative:
        return _("已用上限")
    if not ind.is_cumulative and row.baseline is not None:
        return _("净增进度")
    return _("完成")


@register.filter
def gap_words(row):
    """The gap in words, never a sign before 个百分点: "低于时序进度5.7个百分点"."""
    gap = row.gap_pp
    if gap is None:
        return fmt.DASH
    n = fmt.number(abs(gap), 1)
    if row.indicator.is_growth_rate or row.growth_target_pct is not None:
        gap = row.gap_pp if row.indicator.is_growth_rate else row.growth_gap_pp
        if gap is None:
            return fmt.DASH
        n = fmt.number(abs(gap), 1)
        if fmt.rounded(gap, 1) == 0:
            return _("与目标增速持平")
        return (_("高于目标增速%(n)s个百分点") if gap > 0 else _("低于目标增速%(n)s个百分点")) % {
            "n": n
        }
    done = row.progress_pct
    if not row.indicator.is_reverse and done is not None and done >= fmt.HUNDRED:
        if fmt.rounded(done, 1) == fmt.HUNDRED:
            return _("已完成全年目标")
        return _("已超额完成全年目标")
    if row.indicator.is_reverse and row.completion_pct is not None:
        if row.completion_pct > fmt.HUNDRED:
            return _("已超过全年上限")
        if gap < 0 and fmt.rounded(gap, 1) != 0:
            return _("超出%(pace)s%(n)s个百分点") % {"pace": pace_label(), "n": n}
        return _("控制在上限以内")
    pace = pace_label()
    if row.schedule:  # a 序时计划 other than n/12: say what it plans, so the reader can subtract
        pace += _("（%(pct)s）") % {"pct": fmt.percent(row.time_progress_pct)}
    if fmt.rounded(gap, 1) == 0:
        return _("与%(pace)s持平") % {"pace": pace}
    if gap > 0:
        return _("超过%(pace)s%(n)s个百分点") % {"pace": pace, "n": n}
    return _("低于%(pace)s%(n)s个百分点") % {"pace": pace, "n": n}


@register.simple_tag
def pace_label():
    """The deployment's word for 时序进度 in Chinese; "time progress" in English."""
    return fmt.page_pace_word()


@register.filter
def period_tag(row):
    """ "截至9月" for a quarterly or annual figure shown in a month it is not due."""
    if row.period_month is None or row.period_month == row.month:
        return ""
    return _("截至%(month)s") % {"month": fmt.month_label(row.period_month)}


@register.filter
def month(value, year=None):
    """ "10月", or with a year "2025年10月"; "Oct" / "Oct 2025" in English."""
    if value in (None, ""):
        return ""
    return fmt.month_label(int(value), int(year) if year else None)


@register.simple_tag
def sparkline(series, series_last=None, width=120, height=32):
    """This year's monthly values (solid) over last year's (dashed), as inline SVG.

    Server-drawn so that it prints and needs no script; None values are skipped.
    """
    lines = [(series_last or (), "spark-last"), (series or (), "spark-this")]
    values = [v for s, _ in lines for v in s if v is not None]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1

    def points_for(data):
        return " ".join(
            f"{i * (width - 4) / 11 + 2:.1f},{height - 2 - float((v - low) / span) * (height - 4):.1f}"
            for i, v in enumerate(data)
            if v is not None
        )

    body = format_html_join(
        "",
        '<polyline class="{}" points="{}" fill="none"/>',
        ((css, points_for(data)) for data, css in lines if any(v is not None for v in data)),
    )
    return format_html(
        '<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}">{body}</svg>',
        w=width,
        h=height,
        label=_("趋势"),
        body=body,
    )
