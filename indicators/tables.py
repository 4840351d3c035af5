import html
from operator import attrgetter

import django_tables2 as tables
from django.db import models
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import Accessor, signature

from . import formatting as fmt

CELL_ARGUMENTS = {"value", "record", "column", "bound_column", "bound_row", "table"}


class FastTable(tables.Table):
    """A django-tables2 table whose body is rendered in one pass.

    django-tables2 renders each cell by inspecting the render method's signature, probing the
    accessor for a model field and building the cell's attribute dict anew: about 60 µs a cell,
    or 100 ms for a 150-indicator town's overview. Here that work is done once per column and
    each cell costs a lookup and its render call. Columns, headers, ordering and the template
    stay django-tables2's; tests/indicators/test_tables.py checks that every table renders the
    same HTML as django-tables2's own template. Records that are model instances, and columns
    with links or computed <td> attributes, take django-tables2's own path.
    """

    class Meta:
        template_name = "includes/table.html"

    def _plan(self, bound):
        """How to render one column's cells, worked out once per table (None: upstream's way)."""
        td = bound.column.attrs.get("td", {})
        if bound.link or bound.localize is not None or any(map(callable, td.values())):
            return None
        args, catch_all = signature(bound.render)
        if not catch_all and not set(args) <= CELL_ARGUMENTS:
            return None  # upstream renders such a column as None; let it
        accessor = Accessor(bound.accessor)
        return (
            attrgetter(accessor.replace(accessor.SEPARATOR, ".")),
            accessor,
            None if catch_all else args,
            bound.column.empty_values,
            bound.attrs["td"].as_html(),
        )

    def _cell(self, row, bound, plan):
        getter, accessor, args, empty_values, _td = plan
        record = row.record
        try:
            value = getter(record)
        except Exception:  # a dict, an index or a missing attribute: upstream's lookup
            value = None
        if value is None or callable(value):
            try:
                value = accessor.resolve(record)
            except Exception:  # as upstream: a value that cannot be reached is the default
                value = None
        if value in empty_values:
            return bound.default
        given = {"value": value, "record": record, "column": bound.column,
                 "bound_column": bound, "bound_row": row, "table": self}  # fmt: skip
        if args is not None:
            given = {arg: given[arg] for arg in args}
        return bound.render(**given)

    def body_html(self):
        """The <tbody> rows, exactly as django-tables2's template renders them."""
        plans = [(bound, self._plan(bound)) for bound in self.columns]
        # Without computed row attributes a row's only varying attribute is even/odd.
        row_attrs = {} if not any(map(callable, self.row_attrs.values())) else None
        rows = []
        for row in self.paginated_rows:
            upstream = isinstance(row.record, models.Model)  # may use get_FOO_display()
            cells = []
            for bound, plan in plans:
                if plan is None or upstream:
                    bound.current_record = row.record
                    bound.current_value = content = row.get_cell(bound.name)
                    td = bound.attrs["td"].as_html()
                else:
                    content, td = self._cell(row, bound, plan), plan[4]
                if not isinstance(content, str):  # as {{ cell }}, |localize or |unlocalize
                    if bound.localize is None:
                        content = localize(template_localtime(content))
                    else:
                        content = localize(content, use_l10n=bound.localize)
                cells.append(f"<td {td}>{escape(content)}</td>")
            if row_attrs is None:
                attrs = row.attrs.as_html()
            else:
                parity = row.get_even_odd_css_class()
                if parity not in row_attrs:
                    row_attrs[parity] = row.attrs.as_html()
                attrs = row_attrs[parity]
            rows.append(f"<tr {attrs}>{''.join(cells)}</tr>")
        if not rows and self.empty_text:
            empty = escape(self.empty_text)
            rows.append(f'<tr><td colspan="{len(self.columns)}">{empty}</td></tr>')
        return mark_safe("".join(rows))


def escape(content) -> str:
    """conditional_escape without its lazy-string wrapper, which costs more than the escaping."""
    if hasattr(content, "__html__"):
        return content.__html__()
    return html.escape(str(content))


class NumberColumn(tables.Column):
    """A figure in the indicator's display decimals."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return fmt.number(value, record.indicator.decimals)


class PercentColumn(NumberColumn):
    def render(self, value):
        return fmt.percent(value)


class PointsColumn(NumberColumn):
    def render(self, value):
        return fmt.number(value, 1) if value is None or value <= 0 else f"+{fmt.number(value, 1)}"


class CompletionColumn(NumberColumn):
    """完成率 as a bar with the 时序进度 mark, so lagging rows are seen before they are read."""

    def render(self, value, record):
        # Runs once per row of every table, so plain formatting: every piece is a number or a
        # light name from a fixed set, and the title is escaped.
        pace = record.time_progress_pct
        title = html.escape(str(_("时序进度 %(pct)s") % {"pct": fmt.percent(pace)}))
        width = f"{min(float(value), 100):.1f}" if value is not None else "0"
        return mark_safe(
            f'<span class="bar" title="{title}"><span class="fill fill-{record.light or "none"}"'
            f' style="width: {width}%"></span><i class="mark" style="left: {float(pace):.1f}%">'
            f'</i></span> <span class="bar-text">{fmt.percent(value)}</span>'
        )


class LightColumn(tables.Column):
    """The same badge as includes/light.html."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value):
        if value not in fmt.LIGHT_LABELS:
            return mark_safe('<span class="light light-none">—</span>')
        label = html.escape(str(_(fmt.LIGHT_LABELS[value])))
        return mark_safe(f'<span class="light light-{value}">{label}</span>')


class SummaryTable(FastTable):
    """The summary rows of one area and month (the same rows the API returns)."""

    name = tables.Column(_("指标"), accessor="indicator__name", order_by=("indicator__code",))
    unit = tables.Column(_("单位"), accessor="indicator__unit", orderable=False)
    target = NumberColumn(_("目标"))
    actual = NumberColumn(_("累计/期末"))
    month_value = NumberColumn(_("当月"))
    completion_pct = CompletionColumn(_("完成率"))
    gap_pp = PointsColumn(_("进度差(个百分点)"))
    yoy_pct = PercentColumn(_("同比"))
    department = tables.Column(_("牵头部门"), accessor="indicator__department__name")
    light = LightColumn(_("亮灯"))

    class Meta(FastTable.Meta):
        orderable = True
        attrs = {"class": "data"}

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
        hint = (
            ""
            if record.growth_target_pct is None
            else _("（目标增长%(pct)s%%）") % {"pct": fmt.number(record.growth_target_pct, 1)}
        )
        return format_html(
            '<a href="/indicators/{}/?{}" title="{}">{}</a>{}{}',
            record.indicator.code,
            self.links[key],
            fmt.number(target, record.indicator.decimals) if target is not None else "",
            value,
            hint,
            format_html(' <span class="provisional">{}</span>', _("初步数"))
            if record.provisional
            else "",
        )


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
