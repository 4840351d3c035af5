"""FastTable: django-tables2 tables whose body renders in one pass; every table of the app
(the summary, the villages, the task ledger) is one."""

import html
from operator import attrgetter

import django_tables2 as tables
from django.db import models
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2.utils import Accessor, signature

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
        args, catch_all = cached_signature(bound.render)
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
                attrs = self._row_attrs_html(row)
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

    def _row_attrs_html(self, row) -> str:
        """`row.attrs.as_html()` for computed row attributes, each distinct result rendered
        once per table (a light-coloured row has one of a few classes)."""
        if any(isinstance(v, dict) for v in self.row_attrs.values()):
            return row.attrs.as_html()  # nested attributes: upstream's way
        given = {"table": self, "record": row.record}
        computed = []
        for key, value in self.row_attrs.items():
            if callable(value):  # as upstream's call_with_appropriate
                args, catch_all = cached_signature(value)
                if catch_all:
                    value = value(**given)
                elif all(a in given for a in args):
                    value = value(**{a: given[a] for a in args})
                else:
                    value = None
            computed.append((key, value))
        key = (tuple(computed), row.get_even_odd_css_class())
        try:
            hash(key)
        except TypeError:
            return row.attrs.as_html()
        memo = self.__dict__.setdefault("_row_attrs_memo", {})
        if key not in memo:
            memo[key] = row.attrs.as_html()
        return memo[key]


_signatures: dict = {}


def cached_signature(fn):
    """django-tables2's `signature(fn)`, worked out once per function (inspect is slow): a
    bound method has the signature of its function less `self`, whatever it is bound to."""
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    found = _signatures.get(key)
    if found is None:
        found = _signatures[key] = signature(fn)
    return found


def escape(content) -> str:
    """conditional_escape without its lazy-string wrapper, which costs more than the escaping."""
    if hasattr(content, "__html__"):
        return content.__html__()
    return html.escape(str(content))
