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
    return fmt.number(value, int(places))


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
    pct = fmt.number(abs(value), 1)
    return (_("同比增长%(pct)s%%") if value > 0 else _("同比下降%(pct)s%%")) % {"pct": pct}


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
