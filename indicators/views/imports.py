"""The administrators' import pages: the township workbook, and 表样 (detect, import, fill).

Each runs the same code as its command (`import_workbook`, `layout_detect`, `fill_form`):
upload → preview (per sheet what will be created, changed and left alone, every refused row
with its reason, a downloadable .xlsx of them) → confirm, which reads and checks the kept file
again and writes all or nothing. Administrators (Membership role 管理员, or the superuser) only;
a town's administrator imports for that town and its villages only.
"""

import io

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, uploads
from ..areas import AreaTree
from ..http import BadParameter, bad_request, forbidden, period_query, xlsx_response
from ..models import Indicator, Layout, Membership
from ..workbook import LIMITS, WorkbookError, read_file
from ..workbook.errors import error_rows, errors_workbook
from ..workbook.fill import fill_form, period_words
from ..workbook.layouts import Detected, detect, grid_of, layout_import
from ..workbook.plan import check, preview, workbook_import

SHOWN_ERRORS = 500  # on the page; the .xlsx lists them all


def import_scope(user, tree: AreaTree):
    """(may import, area codes they may import for or None for all): the import pages' access."""
    m = access.membership(user)
    if m is None:
        return (True, None) if user.is_authenticated and user.is_superuser else (False, None)
    if m.role != Membership.Role.ADMIN:
        return False, None
    return True, {tree.by_id[i].code for i in access.readable_area_ids(user, tree)}


def _guard(request):
    tree = AreaTree()
    allowed, scope = import_scope(request.user, tree)
    if not allowed:
        return (
            None,
            tree,
            forbidden(
                request,
                _("只有管理员可以导入工作簿和表样；填报员请使用「数据填报」中的 Excel 上传。"),
            ),
        )
    return scope, tree, None


def _upload(request):
    """The uploaded file's (bytes, name), or WorkbookError saying what is wrong."""
    upload = request.FILES.get("file")
    if upload is None:
        raise WorkbookError(_("请选择要上传的文件。"))
    if upload.size > LIMITS.file_bytes:
        raise WorkbookError(
            _("文件有%(size).1fMB，超过%(limit)dMB的上限：请只保留需要导入的表。")
            % {"size": upload.size / 1024 / 1024, "limit": LIMITS.file_bytes // 1024 // 1024}
        )
    return upload.read(), upload.name


def _sheets_preview(plan, sheets):
    """Per sheet: its counts and the first rows of each outcome (新增, 修改, 不变)."""
    return [
        {"name": name, "counts": counts, "samples": plan.samples.get(name, {})}
        for name, counts in plan.counts.items()
    ]


# ---------------------------------------------------------------------------- the workbook


@require_http_methods(["GET", "POST"])
def workbook(request):
    scope, _tree, denied = _guard(request)
    if denied:
        return denied
    context = {"layouts": Layout.objects.all(), "limits": LIMITS, "row_limit": f"{LIMITS.rows:,}"}
    action = request.POST.get("action")
    if request.method == "POST" and action == "confirm":
        return _confirm(request, scope, context)
    if request.method == "POST":
        try:
            data, name = _upload(request)
            sheets = read_file(io.BytesIO(data), name=name)
        except WorkbookError as exc:
            context["problem"] = str(exc)
            return render(request, "indicators/imports/workbook.html", context, status=400)
        if not sheets:
            context["problem"] = _(
                "文件中没有可导入的表：表名应为 区域、指标、目标、数据（或任务、节点）。"
            )
            return render(request, "indicators/imports/workbook.html", context, status=400)
        plan = preview(
            check(sheets, accept_outliers=request.POST.get("accept_outliers") == "1", scope=scope)
        )
        token = uploads.keep(
            data, user=request.user, name=name, outliers=request.POST.get("accept_outliers") == "1"
        )
        context.update(_result(plan, sheets, token, name))
        return render(
            request, "indicators/imports/workbook.html", context, status=200 if plan.ok else 400
        )
    return render(request, "indicators/imports/workbook.html", context)


def _result(plan, sheets, token, name):
    rows = error_rows(plan.errors, sheets)
    return {
        "plan": plan,
        "token": token,
        "file_name": name,
        "sheets": _sheets_preview(plan, sheets),
        "errors": rows[:SHOWN_ERRORS],
        "error_count": len(rows),
        "summary": plan.summary_lines(),
        "warnings": [str(w) for w in plan.warnings],
    }


def _confirm(request, scope, context):
    token = request.POST.get("token", "")
    kept = uploads.load(token, user=request.user)
    if kept is None:
        messages.error(request, _("没有待确认的导入，或已过期（1小时）：请重新上传文件。"))
        return redirect("indicators:imports")
    data, meta = kept
    try:
        sheets = read_file(io.BytesIO(data), name=meta["name"])
    except WorkbookError as exc:
        context["problem"] = str(exc)
        return render(request, "indicators/imports/workbook.html", context, status=400)
    plan = workbook_import(
        sheets, accept_outliers=meta.get("outliers", False), user=request.user, scope=scope
    )
    if not plan.ok:  # the database changed since the preview: nothing was written
        context.update(_result(plan, sheets, token, meta["name"]))
        return render(request, "indicators/imports/workbook.html", context, status=400)
    uploads.discard(token)
    messages.success(request, _("导入完成：") + "；".join(plan.summary_lines()))
    return redirect("indicators:imports")


@require_GET
def errors(request, token):
    scope, _tree, denied = _guard(request)
    if denied:
        return denied
    kept = uploads.load(token, user=request.user)
    if kept is None:
        return bad_request(request, _("没有这次导入的记录，或已过期：请重新上传文件。"))
    data, meta = kept
    try:
        sheets = read_file(io.BytesIO(data), name=meta["name"])
    except WorkbookError as exc:
        return bad_request(request, str(exc))
    plan = check(sheets, accept_outliers=meta.get("outliers", False), scope=scope)
    return xlsx_response(errors_workbook(plan.errors, sheets), f"导入错误-{meta['name']}.xlsx")


# ---------------------------------------------------------------------------- 表样


@require_http_methods(["GET", "POST"])
def layouts(request):
    """The saved 表样, and detecting a new one from an uploaded sheet (then confirm or correct)."""
    _scope, _tree, denied = _guard(request)
    if denied:
        return denied
    context = {"layouts": Layout.objects.all()}
    if request.method == "POST" and request.POST.get("action") == "save":
        return _save_layout(request, context)
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()
        try:
            if not name:
                raise WorkbookError(_("请填写表样名称，如「县统计局月报表」。"))
            if Layout.objects.filter(name=name).exists():
                raise WorkbookError(_("表样「%(name)s」已存在：请换一个名称。") % {"name": name})
            data, file_name = _upload(request)
            sheet = (request.POST.get("sheet") or "").strip()
            found = detect(grid_of(io.BytesIO(data), name=file_name, sheet=sheet))
        except WorkbookError as exc:
            context["problem"] = str(exc)
            return render(request, "indicators/imports/layouts.html", context, status=400)
        token = uploads.keep(
            data, user=request.user, name=file_name, sheet=found.sheet, layout=name
        )
        context.update(_mapping_context(found, token, name))
        return render(request, "indicators/imports/layouts.html", context)
    return render(request, "indicators/imports/layouts.html", context)


def _mapping_context(found: Detected, token, name):
    return {
        "found": found,
        "token": token,
        "layout_name": name,
        "lines": found.lines(),
        "indicators": Indicator.objects.filter(source__isnull=True).order_by("code"),
        "measures": Layout.Measure.choices + [(f"m{m}", f"{m}月") for m in range(1, 13)],
    }


def _save_layout(request, context):
    kept = uploads.load(request.POST.get("token", ""), user=request.user)
    if kept is None:
        messages.error(request, _("没有待确认的表样，或已过期：请重新上传。"))
        return redirect("indicators:layouts")
    data, meta = kept
    try:
        found = detect(grid_of(io.BytesIO(data), name=meta["name"], sheet=meta["sheet"]))
    except WorkbookError as exc:
        context["problem"] = str(exc)
        return render(request, "indicators/imports/layouts.html", context, status=400)
    # The person's corrections: an indicator per row ("" for none), a measure per column.
    codes = set(Indicator.objects.values_list("code", flat=True))
    for row in found.rows:
        chosen = request.POST.get(f"row-{row['row']}")
        if chosen is not None:
            row["code"] = chosen if chosen in codes else ""
    measures = {m for m, _ in _mapping_context(found, "", "")["measures"]}
    for column in found.columns:
        chosen = request.POST.get(f"col-{column['col']}")
        if chosen in measures:
            column["measure"] = chosen
    if Layout.objects.filter(name=meta["layout"]).exists():
        messages.error(
            request, _("表样「%(name)s」已存在：请换一个名称。") % {"name": meta["layout"]}
        )
        return redirect("indicators:layouts")
    layout = found.as_layout(meta["layout"], user=request.user, form=data, form_name=meta["name"])
    layout.save()
    uploads.discard(request.POST.get("token", ""))
    messages.success(request, _("已保存表样「%(name)s」。") % {"name": layout.name})
    return redirect("indicators:layout", pk=layout.pk)


def _areas(request, tree, scope):
    return [
        a
        for a in sorted(tree.by_id.values(), key=lambda a: a.code)
        if scope is None or a.code in scope
    ]


@require_http_methods(["GET", "POST"])
def layout(request, pk):
    """One 表样: its mapping; import a filled sheet through it; fill its blank form."""
    scope, tree, denied = _guard(request)
    if denied:
        return denied
    item = get_object_or_404(Layout, pk=pk)
    context = {"layout": item, "areas": _areas(request, tree, scope), "months": range(1, 13)}
    if request.method == "POST":
        return _layout_import(request, item, tree, scope, context)
    return render(request, "indicators/imports/layout.html", context)


def _layout_import(request, item, tree, scope, context):
    confirm = request.POST.get("action") == "confirm"
    try:
        query = period_query(request.POST, user=request.user, tree=tree)
        if confirm:
            kept = uploads.load(request.POST.get("token", ""), user=request.user)
            if kept is None:
                raise WorkbookError(_("没有待确认的导入，或已过期：请重新上传文件。"))
            data, meta = kept
            name = meta["name"]
        else:
            data, name = _upload(request)
        grid = grid_of(io.BytesIO(data), name=name, sheet=item.sheet)
        result = layout_import(
            item,
            grid,
            area=query.area,
            year=query.year,
            month=query.month,
            dry_run=not confirm,
            user=request.user,
        )
    except (WorkbookError, BadParameter) as exc:
        context["problem"] = str(exc)
        return render(request, "indicators/imports/layout.html", context, status=400)
    if scope is not None and result.area.code not in scope:
        context["problem"] = _("您无权导入「%(name)s」的数据。") % {"name": result.area.name}
        return render(request, "indicators/imports/layout.html", context, status=403)
    if confirm and result.plan.ok:
        uploads.discard(request.POST.get("token", ""))
        messages.success(request, _("导入完成：") + "；".join(result.plan.summary_lines()))
        return redirect("indicators:layout", pk=item.pk)
    token = (
        request.POST.get("token") if confirm else uploads.keep(data, user=request.user, name=name)
    )
    rows = error_rows(result.plan.errors, {})
    context.update(
        result=result,
        token=token,
        sheets=_sheets_preview(result.plan, {}),
        errors=rows[:SHOWN_ERRORS],
        error_count=len(rows),
        summary=result.plan.summary_lines(),
        warnings=[str(w) for w in result.warnings],
        period=period_words(result.year, result.month or 12),
    )
    return render(
        request, "indicators/imports/layout.html", context, status=200 if result.plan.ok else 400
    )


@require_GET
def layout_fill(request, pk):
    scope, tree, denied = _guard(request)
    if denied:
        return denied
    item = get_object_or_404(Layout, pk=pk)
    try:
        query = period_query(
            request.GET, user=request.user, tree=tree, required=("area", "year", "month")
        )
        data = fill_form(item, query.area, query.year, query.month)
    except (BadParameter, WorkbookError) as exc:
        return bad_request(request, str(exc))
    if scope is not None and query.area.code not in scope:
        return forbidden(request, _("您无权导出「%(name)s」的数据。") % {"name": query.area.name})
    words = period_words(query.year, query.month)
    return xlsx_response(data, f"{item.name}-{query.area.name}{words}.xlsx")
