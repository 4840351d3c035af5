"""Monthly figures: the entry grid, review, 填报进度, the Excel round trip and the history.

Each view checks access (indicators/access.py), then calls a service (services.py) or a read
(grid.py, history.py); the rules live there, not here.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, services
from ..areas import AreaTree
from ..cells import CellError, convert, integer, number, text, unit_word
from ..excel import append_row
from ..forms import ReviewForm, UploadForm
from ..grid import EDITABLE, grid_rows, plain, reporting_progress, targets_notice
from ..history import figure_history
from ..http import (
    BadParameter,
    bad_request,
    forbidden,
    id_of,
    period_query,
    readable_area,
    xlsx_response,
)
from ..models import Area, Figure, Indicator, Layout
from ..periods import YEAR_MAX, YEAR_MIN, deadline, default_period, period_problem
from ..workbook import WorkbookError
from ..workbook.columns import FIGURES
from ..workbook.fill import fill_entry, fill_form
from ..workbook.layouts import entry_layout, grid_of, layout_rows

UPLOAD_SESSION_KEY = "entry_upload"


def _period(source, departments):
    """(department, year, month) a page asks for: the query's, else the first department and
    last month. BadParameter when a value is wrong."""
    query = period_query(source, user=None, tree=AreaTree([]))
    year, month = default_period()
    department = departments.first()
    if raw := source.get("department"):
        found = departments.filter(pk=pk).first() if (pk := id_of(raw)) else None
        if found is None:
            raise BadParameter(_("部门不存在或您无权查看，请从列表中选择。"))
        department = found
    return department, query.year or year, query.month or month


def _context(request, departments, refusal=None):
    """(town, villages, department, year, month) of the page, or an error response;
    `refusal` is the (message, link) the forbidden page gives instead of the general one."""
    tree = AreaTree()
    town = access.work_town(request.user, tree)
    if town is None or not departments.exists():
        message, link = refusal or (
            _("只有本镇各部门的填报员、审核员可以使用此页面；领导请查看驾驶舱和填报进度。"),
            None,
        )
        return None, forbidden(request, message, link=link)
    source = request.POST if request.method == "POST" else request.GET
    try:
        department, year, month = _period(source, departments)
    except BadParameter as exc:
        return None, bad_request(request, str(exc))
    villages = sorted(tree.villages(town), key=lambda a: a.code)
    return (town, villages, department, year, month), None


def _query(department, year, month) -> str:
    return "?" + urlencode({"department": department.pk, "year": year, "month": month})


def _page_context(request, town, department, year, month, departments):
    due = deadline(Indicator.Cadence.MONTHLY, year, month)
    return {
        "town": town,
        "department": department,
        "departments": departments,
        "year": year,
        "month": month,
        "months": range(1, 13),
        "deadline": due,
        "past_deadline": timezone.localdate() > due,
        "query": _query(department, year, month),
        "can_enter": access.entry_departments(request.user).filter(pk=department.pk).exists(),
        "can_review": access.review_departments(request.user).filter(pk=department.pk).exists(),
        "can_import": _can_import(request.user),
    }


def _can_import(user) -> bool:
    m = access.membership(user)
    return (m is None and user.is_superuser) or (m is not None and m.role == m.Role.ADMIN)


# ---------------------------------------------------------------------------- the grid


def _cells_from_post(post, rows):
    cells = []
    for row in rows:
        if f"v-{row.name}" not in post:
            continue  # a locked row has no input
        try:
            version = int(post.get(f"ver-{row.name}", 0))
        except ValueError:
            version = -1  # tampered: refused as a conflict
        cells.append(
            services.Cell(
                row.indicator,
                row.area,
                raw=post.get(f"v-{row.name}", ""),
                note=post.get(f"n-{row.name}", ""),
                confirmed=post.get(f"c-{row.name}") == "1",
                version=version,
            )
        )
    return cells


@require_http_methods(["GET", "POST"])
def grid(request):
    departments = access.entry_departments(request.user)
    ctx, error = _context(request, departments)
    if error:
        return error
    town, villages, department, year, month = ctx
    rows = grid_rows(department, town, villages, year, month)
    result = None
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        cells = _cells_from_post(request.POST, rows)
        result = services.figures_save(
            user=request.user, cells=cells, year=year, month=month, submit=submit
        )
        if result.ok:
            if submit:
                messages.success(
                    request,
                    _("已保存%(saved)d项，报送%(submitted)d项，等待审核。")
                    % {"saved": len(result.saved), "submitted": len(result.submitted)},
                )
            else:
                messages.success(
                    request, _("已保存草稿%(saved)d项。") % {"saved": len(result.saved)}
                )
            return redirect(request.path + _query(department, year, month))
        # Show what was typed, with the errors next to it; refused cells show the newer value.
        rows = grid_rows(department, town, villages, year, month)
        by_key = {c.key: c for c in cells}
        for row in rows:
            row.cell = by_key.get((row.indicator.pk, row.area.pk))
    context = _page_context(request, town, department, year, month, departments)
    context.update(
        rows=rows,
        errors=result.errors if result else [],
        problem=period_problem(year, month),
        no_targets=targets_notice(department, town, year),
        editable=any(r.editable for r in rows),
        drafts=sum(1 for r in rows if r.figure and r.figure.status in EDITABLE),
    )
    status = 400 if result is not None else 200
    return render(request, "indicators/entry/grid.html", context, status=status)


# ---------------------------------------------------------------------------- review


def _review_refusal(user):
    """Why this user may not review, and where their own work is (DOMAIN §1 roles)."""
    m = access.membership(user)
    if m is not None and m.role == access.Role.CLERK:
        return (
            _(
                "数据由本部门的审核员审核，填报员不能审核。您报送的数据可以在填报页查看状态和退回意见。"
            ),
            (reverse("indicators:entry"), _("打开数据填报")),
        )
    if m is not None and m.role == access.Role.LEADER:
        return (
            _("数据由各部门审核员和党政办管理员审核；领导请查看驾驶舱和填报进度。"),
            (reverse("indicators:entry-progress"), _("查看填报进度")),
        )
    return (_("只有各部门的审核员和党政办管理员可以审核数据。"), None)


@require_http_methods(["GET", "POST"])
def review(request):
    departments = access.review_departments(request.user)
    ctx, error = _context(request, departments, refusal=_review_refusal(request.user))
    if error:
        return error
    town, villages, department, year, month = ctx
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return bad_request(request, _("审核操作无效，请刷新页面后重试。"))
        try:
            _review_action(request, form.cleaned_data, department, town, year, month)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        return redirect(request.path + _query(department, year, month))
    rows = grid_rows(department, town, villages, year, month)
    submitted = [r for r in rows if r.figure and r.figure.status == Figure.Status.SUBMITTED]
    context = _page_context(request, town, department, year, month, departments)
    context.update(
        rows=rows,
        submitted=submitted,
        clean=[r for r in submitted if not r.flags],
        flagged=[r for r in submitted if r.flags],
    )
    return render(request, "indicators/entry/review.html", context)


def _review_action(request, data, department, town, year, month):
    user = request.user
    figures = Figure.objects.select_related("indicator", "area").filter(
        indicator__department=department, year=year, month=month
    )
    if data["action"] == "approve":
        ids = [pk for i in request.POST.getlist("approve") if (pk := id_of(i))]
        chosen = list(figures.filter(pk__in=ids))
        if not chosen:
            raise services.WorkflowError(_("请先勾选要审核通过的数据。"))
        versions = {}
        for figure in chosen:
            raw = request.POST.get(f"ver-{figure.pk}", "")
            versions[figure.pk] = id_of(raw)
        done = services.figures_approve(user=user, figures=[(f, versions[f.pk]) for f in chosen])
        messages.success(request, _("已审核通过%(n)d项，数据已锁定。") % {"n": len(done)})
        return
    figure = figures.filter(pk=data["figure"]).first()
    if figure is None:
        raise services.WorkflowError(_("该数据不存在或不属于本部门本月。"))
    if data["action"] == "return":
        services.figures_return(
            user=user, figure=figure, comment=data["comment"], version=data["version"]
        )
        messages.success(request, _("已退回，填报员会在填报页看到退回意见。"))
    else:
        services.figures_reopen(user=user, figure=figure, reason=data["comment"])
        messages.success(request, _("已重新打开，填报员可以修改后重新报送。"))


# ---------------------------------------------------------------------------- 填报进度


def _area_for_reading(request, tree):
    """The area a reader asked for (?area=), else their own town or the first one they may
    read; NotFound (404) for an area that does not exist or that they may not read."""
    if code := request.GET.get("area"):
        return readable_area(code, user=request.user, tree=tree)
    towns = access.readable_towns(request.user, tree)
    return towns[0] if towns else None


@require_GET
def progress(request):
    tree = AreaTree()
    town = _area_for_reading(request, tree)
    if town is not None and town.level != Area.Level.TOWN:
        return bad_request(request, _("填报进度按镇查看：请从列表中选择镇。"))
    if town is None or not access.can_read_progress(request.user, town, tree):
        return forbidden(request, _("您无权查看该镇的填报进度。"))
    try:
        query = period_query(request.GET, user=request.user, tree=tree)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    year, month = default_period()
    year, month = query.year or year, query.month or month
    villages = sorted(tree.villages(town), key=lambda a: a.code)
    context = {
        "town": town,
        "year": year,
        "month": month,
        "months": range(1, 13),
        "towns": access.readable_towns(request.user, tree),
        "departments": reporting_progress(town, villages, year, month),
        "today": timezone.localdate(),
    }
    return render(request, "indicators/entry/progress.html", context)


# ---------------------------------------------------------------------------- Excel round trip


@require_GET
def sheet(request):
    """The month's entry sheet of the department: codes, names and last values filled in.

    In Chinese whatever the page's language: the upload reads the sheet back by its column names.
    """
    departments = access.entry_departments(request.user)
    ctx, error = _context(request, departments)
    if error:
        return error
    if raw := request.GET.get("layout"):
        # The same month in a saved 表样 (the department's own table, the county's form),
        # filled from the stored figures as `fill_form` fills it; uploaded back through it.
        layout = Layout.objects.filter(pk=raw).first() if raw.isdigit() else None
        if layout is None:
            return bad_request(request, _("表样不存在：请从上传页的列表中选择。"))
        town, _villages, department, year, month = ctx
        try:
            data = fill_form(layout, town, year, month)
        except WorkbookError as exc:
            return bad_request(request, str(exc))
        return xlsx_response(data, f"{layout.name}-{department.name}-{year}年{month}月.xlsx")
    town, villages, department, year, month = ctx
    rows = grid_rows(department, town, villages, year, month)
    with translation.override(settings.LANGUAGE_CODE):
        # The month's entry sheet is a 表样 too: built from the grid, filled, read back alike.
        layout = entry_layout(rows)
        data = fill_entry(layout, rows, year, month)
    return xlsx_response(data, f"{layout.name}-{department.name}-{year}年{month}月.xlsx")


def _raw(value) -> str:
    """A cell as text for the session: floats by repr so no digit is lost."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _upload_cells(entries, rows, year, month):
    """Cells from uploaded rows; rows that cannot become a cell get a row error instead."""
    by_code = {(r.indicator.code, r.area.code): r for r in rows}
    cells, problems = [], []
    for entry in entries:
        n = entry["row"]
        key = (entry["indicator"], entry["area"])
        row = by_code.get(key)
        if row is None:
            problems.append(
                (
                    n,
                    _("「%(key)s」不在本部门%(year)s年%(month)s月的填报表中：请使用下载的填报表")
                    % {"key": f"{key[0]} {key[1]}", "year": year, "month": month},
                )
            )
            continue
        if (entry["year"], entry["month"]) != (str(year), str(month)):
            problems.append(
                (
                    n,
                    _("年度、月份应为%(year)s年%(month)s月：请上传本月的填报表")
                    % {"year": year, "month": month},
                )
            )
            continue
        if text(entry["value"]) == "":
            continue  # an empty cell leaves the figure as it is
        unit = entry.get("unit", "")
        if unit and unit_word(unit) != unit_word(row.indicator.unit):
            # A 表样's 单位 column: 元/万元/亿元 convert exactly, anything else is refused.
            try:
                value = number(entry["value"], percent=row.indicator.unit == "%")
                entry = {**entry, "value": f"{convert(value, unit, row.indicator.unit):f}"}
            except CellError as exc:
                problems.append((n, str(exc)))
                continue
        if row.indicator.unit == "%" and text(entry["value"]).endswith("%"):
            # A percent-formatted cell (0.991 shown as 99.1%) is the figure 99.1 (DOMAIN §8).
            entry = {**entry, "value": text(entry["value"])[:-1]}
        cells.append(
            services.Cell(
                row.indicator,
                row.area,
                raw=entry["value"],
                note=entry["note"],
                version=entry.get("version", row.figure.version if row.figure else 0),
                row=n,
                confirmed=entry.get("confirmed", False),
            )
        )
    return cells, problems


def _read_upload(upload, layout=None, *, town=None, year=None, month=None):
    """[{row, indicator, area, year, month, value, note}] of the 数据 sheet, or of the sheet
    read through a 表样 for the town and month (`layout_rows`, as `import_workbook --layout`
    reads it); WorkbookError when the file cannot be read."""
    if upload.size > 5 * 1024 * 1024:
        raise WorkbookError(_("文件过大（超过5MB）：填报表只需一张「数据」表"))
    layout = layout or entry_layout()  # the downloaded entry sheet is a 表样 too
    no_sheet = _("文件中没有「数据」表：请使用下载的填报表")
    grid = grid_of(upload, name=upload.name, sheet=layout.sheet, missing=no_sheet)
    sheets, _compared = layout_rows(layout, grid, area=town.code, year=year, month=month)
    if layout.kind == Layout.Kind.WIDE_MONTHS:
        # A months table (1月…12月) is read for the month being entered only.
        sheets[FIGURES][1:] = [r for r in sheets[FIGURES][1:] if r["月份"] == month]
    rows = sheets.get(FIGURES) or []
    if not rows:
        raise WorkbookError(no_sheet)
    header, body = rows[0]["_header"], rows[1:]
    missing = [c for c in ("指标编码", "区域编码", "年度", "月份", "数值") if c not in header]
    if missing:
        raise WorkbookError(
            _("缺少列：%(columns)s。请使用下载的填报表") % {"columns": "、".join(missing)}
        )
    entries = []
    for row in body[:2000]:
        entries.append(
            {
                "row": row["_row"],
                "indicator": text(row.get("指标编码")),
                "area": text(row.get("区域编码")),
                "year": _period_part(row, "年度", YEAR_MIN, YEAR_MAX),
                "month": _period_part(row, "月份", 1, 12),
                "value": _raw(row.get("数值")),
                "note": text(row.get("备注"))[:255],
                "unit": text(row.get("_unit")),
            }
        )
    return entries


def _period_part(row, column, low, high) -> str:
    try:
        return str(integer(row.get(column), low, high, column))
    except ValueError:
        return text(row.get(column))


@require_http_methods(["GET", "POST"])
def upload(request):
    departments = access.entry_departments(request.user)
    ctx, error = _context(request, departments)
    if error:
        return error
    town, villages, department, year, month = ctx
    context = _page_context(request, town, department, year, month, departments)
    context["layouts"] = Layout.objects.all()  # the month in a 表样: download, fill, upload
    form = UploadForm()
    stored = request.session.get(UPLOAD_SESSION_KEY)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        if not stored or stored["period"] != [department.pk, year, month]:
            messages.error(request, _("没有待确认的上传，或已过期：请重新上传文件。"))
            return redirect(request.path + _query(department, year, month))
        rows = grid_rows(department, town, villages, year, month)
        cells, problems = _upload_cells(stored["entries"], rows, year, month)
        result = services.figures_save(
            user=request.user,
            cells=cells,
            year=year,
            month=month,
            submit=stored["submit"],
            reason="Excel上传",
        )
        if result.ok and not problems:
            del request.session[UPLOAD_SESSION_KEY]
            messages.success(
                request,
                _("已从Excel写入%(saved)d项。") % {"saved": len(result.saved)}
                + (_("并报送%(n)d项。") % {"n": len(result.submitted)} if stored["submit"] else ""),
            )
            return redirect(reverse("indicators:entry") + _query(department, year, month))
        context.update(preview=_preview(cells, problems), confirmable=False)
        return render(request, "indicators/entry/upload.html", context, status=400)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            context["form"] = form
            return render(request, "indicators/entry/upload.html", context, status=400)
        layout = form.cleaned_data.get("layout")
        try:
            entries = _read_upload(
                form.cleaned_data["file"], layout, town=town, year=year, month=month
            )
        except WorkbookError as exc:
            form.add_error("file", str(exc))
            context["form"] = form
            return render(request, "indicators/entry/upload.html", context, status=400)
        rows = grid_rows(department, town, villages, year, month)
        if layout is not None:
            # A shared form lists other departments' indicators too: those rows are theirs.
            mine = {(r.indicator.code, r.area.code) for r in rows}
            others = [e for e in entries if (e["indicator"], e["area"]) not in mine]
            entries = [e for e in entries if (e["indicator"], e["area"]) in mine]
            context["layout_note"] = _(
                "按表样「%(name)s」读取%(period)s：本部门%(mine)d项，其他部门的%(others)d项未读取。"
            ) % {
                "name": layout.name,
                "period": f"{year}年{month}月",
                "mine": len(entries),
                "others": len(others),
            }
        confirmed = form.cleaned_data["confirm_outliers"]
        for entry in entries:
            entry["confirmed"] = confirmed
        cells, problems = _upload_cells(entries, rows, year, month)
        services.check_cells(cells, user=request.user, year=year, month=month)
        # Confirming later saves against the versions seen now: a change in between is refused.
        versions = {c.row: c.figure.version if c.figure else 0 for c in cells}
        for entry in entries:
            entry["version"] = versions.get(entry["row"], 0)
        ok = not problems and not any(c.error for c in cells)
        if ok:
            request.session[UPLOAD_SESSION_KEY] = {
                "period": [department.pk, year, month],
                "entries": entries,
                "submit": request.POST.get("submit") == "1",
            }
        context.update(preview=_preview(cells, problems), confirmable=ok)
        return render(request, "indicators/entry/upload.html", context, status=200 if ok else 400)
    context["form"] = form
    return render(request, "indicators/entry/upload.html", context)


def _preview(cells, problems):
    """Rows of the preview table: what each sheet row would do, or why it cannot."""
    lines = [
        {
            "row": c.row,
            "indicator": c.indicator,
            "area": c.area,
            "old": plain(c.figure.value if c.figure else None),
            "new": plain(c.value),
            "note": c.note,
            "what": (_("新增") if c.figure is None else _("修改")) if c.changed else _("不变"),
            "error": c.error,
        }
        for c in cells
    ]
    lines += [{"row": n, "error": message} for n, message in problems]
    return sorted(lines, key=lambda line: line["row"])


# ---------------------------------------------------------------------------- history


@require_GET
def history(request, code):
    """Every change of an indicator's figures at an area: who, when, old and new, and why."""
    indicator = get_object_or_404(Indicator.objects.select_related("department"), code=code)
    tree = AreaTree()
    area = _area_for_reading(request, tree)
    if area is None or not access.can_read_area(request.user, area, tree):
        return forbidden(request, _("您无权查看该区域的数据修改记录。"))
    try:
        year = period_query({"year": request.GET.get("year")}, user=None, tree=tree).year
    except BadParameter:
        year = None  # the history of every year
    if request.GET.get("format") == "xlsx":
        # Like every Excel file here, the export is in Chinese whatever the page's language.
        with translation.override(settings.LANGUAGE_CODE):
            entries = _history_entries(indicator, area, tree, year)
            return _history_xlsx(indicator, area, entries)
    entries = _history_entries(indicator, area, tree, year)
    return render(
        request,
        "indicators/entry/history.html",
        {"indicator": indicator, "area": area, "entries": entries, "year": year},
    )


def _history_entries(indicator, area, tree, year):
    if indicator.entry_level == Indicator.EntryLevel.VILLAGE and area.level != Area.Level.VILLAGE:
        return figure_history(indicator, areas=tree.villages(area), year=year)
    return figure_history(indicator, area, year=year)


def _history_xlsx(indicator, area, entries):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "修改记录"
    append_row(
        ws, ["年度", "月份", "区域", "时间", "操作人", "操作", "原值", "新值", "状态", "原因"]
    )
    for e in entries:
        append_row(
            ws,
            [
                e.year,
                e.month,
                e.area,
                timezone.localtime(e.when).strftime("%Y-%m-%d %H:%M:%S"),
                e.who,
                e.action,
                e.old_value,
                e.new_value,
                e.status,
                e.reason,
            ],
        )
    return xlsx_response(book, f"修改记录-{indicator.code}{indicator.name}-{area.name}.xlsx")
