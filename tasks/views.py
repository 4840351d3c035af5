"""The ledger's pages: thin views that check access, call a selector or service, and render.

"Today" for reading is `?as_of=YYYY-MM-DD` (default: the local date); actions always happen on
the real local date.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from indicators.areas import AreaTree
from indicators.excel import append_row
from indicators.formatting import date_words
from indicators.http import (
    API_NAMES,
    BadParameter,
    NotFound,
    api_view,
    bad_request,
    json_error,
    json_response,
    period_query,
    xlsx_response,
)
from indicators.models import Department
from indicators.periods import YEAR_MAX, YEAR_MIN, year_in_range
from indicators.selectors import summary_rows

from . import access, services
from .forms import (
    CancelForm,
    CommentForm,
    ExtensionForm,
    LedgerFilterForm,
    MilestoneDoneForm,
    NoteForm,
    ProgressForm,
)
from .models import Attachment, ExtensionRequest, Milestone, Task
from .selectors import (
    filter_rows,
    leader_name,
    ledger_rows,
    month_of,
    sections_of,
    tally_from_rows,
    task_years,
)
from .tables import LEDGER_COLUMNS, LedgerTable


def parse_as_of(value: str | None, name: str = "") -> datetime.date:
    """The date the ledger is judged on (`?as_of=`); today by default."""
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            _("%(name)s应为日期 YYYY-MM-DD，例如 as_of=2025-10-31")
            % {"name": f"{name} " if name else _("查看日期")}
        ) from None


def as_of_query(request) -> str:
    value = request.GET.get("as_of")
    return urlencode({"as_of": value}) if value else ""


# --------------------------------------------------------------------------- the ledger


def ledger_context(request):
    """Rows, filters and tally of the ledger page, its export and its print view."""
    tree = AreaTree()
    readable = access.readable_task_areas(request.user, tree)
    as_of = parse_as_of(request.GET.get("as_of"))
    # Years, sections, departments and leaders are those of the tasks the user may read:
    # a filter never names another town's headings or tasks.
    years = task_years(readable)
    # The one parser of the core: the same year range and words as every page.
    year = period_query(request.GET, user=request.user, tree=tree).year
    if not year:
        year = as_of.year if as_of.year in years or not years else years[0]
    base = Task.objects.filter(year=year, area_id__in=readable)
    leaders = {t.lead_leader for t in base.select_related("lead_leader") if t.lead_leader}
    form = LedgerFilterForm(
        request.GET or None,
        sections=_tree_order(sections_of(base)),
        departments=Department.objects.filter(led_tasks__in=base).distinct(),
        leaders=sorted(((u.pk, leader_name(u)) for u in leaders), key=lambda c: c[1]),
        initial={"year": year, "as_of": as_of},
    )
    if form.is_bound and not form.is_valid():
        fields = "、".join(str(form.fields[f].label) for f in form.errors if f in form.fields)
        raise BadParameter(_("筛选条件有误：%(fields)s。") % {"fields": fields})
    data = form.cleaned_data if form.is_bound else {}
    tasks = base
    if section := data.get("section"):
        tasks = tasks.filter(Q(section_id=section) | Q(section__parent_id=section))
    if department := data.get("department"):
        tasks = tasks.filter(lead_department_id=department)
    if leader := data.get("leader"):
        tasks = tasks.filter(lead_leader_id=leader)
    if status := data.get("status"):
        tasks = tasks.filter(status=status)
    rows = ledger_rows(year=year, as_of=as_of, tasks=tasks, tree=tree)
    rows = filter_rows(rows, light=data.get("light") or "", overdue=bool(data.get("overdue")))
    filters = ("section", "department", "leader", "status", "light", "overdue")
    return {
        "form": form,
        "rows": rows,
        "year": year,
        "as_of": as_of,
        "years": years,
        "tally": tally_from_rows(rows, year=year, as_of=as_of),
        "filtered": any(data.get(k) for k in filters),
        "is_demo": any(r.task.is_demo for r in rows),
    }


def _tree_order(sections):
    sections = list(sections)
    tops = sorted((s for s in sections if s.parent_id is None), key=lambda s: (s.order, s.pk))
    ordered = []
    for top in tops:
        ordered.append(top)
        ordered += sorted(
            (s for s in sections if s.parent_id == top.pk), key=lambda s: (s.order, s.pk)
        )
    return ordered


def grouped(rows):
    """Rows by top-level section, in the report's order: [(section title, rows)]."""
    groups = {}
    for row in rows:
        section = row.task.section
        top = section.parent or section
        groups.setdefault(top.pk, (top.title, []))[1].append(row)
    return list(groups.values())


@require_GET
def ledger(request):
    try:
        context = ledger_context(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    query = as_of_query(request)
    tables = []
    for index, (title, rows) in enumerate(grouped(context["rows"])):
        table = LedgerTable(rows, prefix=f"s{index}-", query=query, as_of=context["as_of"])
        RequestConfig(request, paginate=False).configure(table)
        tables.append((title, table))
    context.update(tables=tables, query=request.GET.urlencode())
    return render(request, "tasks/ledger.html", context)


@require_GET
def ledger_print(request):
    try:
        context = ledger_context(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    headers = [h for h, _ in LEDGER_COLUMNS]
    context["groups"] = [
        (title, [(row, [value(row) for _, value in LEDGER_COLUMNS]) for row in rows])
        for title, rows in grouped(context["rows"])
    ]
    context.update(headers=headers, printed=timezone.localdate())
    return render(request, "tasks/ledger_print.html", context)


@require_GET
def ledger_export(request):
    """The ledger as .xlsx, in the page's layout: a title, the tally, then sections and rows.

    The file is the township's 台账 as it is filed and forwarded: Chinese whatever the page's
    language.
    """
    try:
        context = ledger_context(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    with translation.override(settings.LANGUAGE_CODE):
        return _ledger_xlsx(context)


def _ledger_xlsx(context):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = "重点任务台账"
    headers = [str(h) for h, _ in LEDGER_COLUMNS]
    title = f"{context['year']}年重点工作任务台账（截至{date_words(context['as_of'])}）"
    if context["is_demo"]:
        title += "（示例数据）"
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [context["tally"]["sentence"]])
    append_row(ws, headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for section, rows in grouped(context["rows"]):
        append_row(ws, [section])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for row in rows:
            append_row(ws, [value(row) for _, value in LEDGER_COLUMNS])
    widths = [12, 30, 24, 10, 12, 18, 14, 24, 9, 40, 24, 9, 8]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + index)].width = width
    for line in ws.iter_rows(min_row=4):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "3:3"
    return xlsx_response(book, f"重点工作任务台账-{context['year']}-{context['as_of']:%Y%m%d}.xlsx")


# --------------------------------------------------------------------------- one task


def readable_task(request, number) -> Task:
    task = get_object_or_404(
        Task.objects.select_related(
            "section", "section__parent", "lead_department", "lead_leader", "indicator", "area"
        ),
        number=number,
    )
    if not access.can_read(request.user, task):
        raise PermissionDenied(_("您没有查看该任务的权限。"))
    return task


@require_GET
def task_detail(request, number):
    task = readable_task(request, number)
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except BadParameter as exc:
        return bad_request(request, str(exc))
    tree = AreaTree()
    [row] = ledger_rows(
        year=task.year, as_of=as_of, tasks=Task.objects.filter(pk=task.pk), tree=tree
    )
    today = timezone.localdate()
    pending = task.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    figure = None
    month = month_of(task.year, as_of)
    if task.indicator_id and month:
        rows = summary_rows(task.area, task.year, month, tree=tree, indicator=task.indicator)
        figure = rows[0] if rows else None
    reports = task.reports.select_related("author").prefetch_related("files")
    context = {
        "task": task,
        "row": row,
        "as_of": as_of,
        "today": today,
        "query": as_of_query(request),
        "figure": figure,
        "reports": reports,
        "events": task.events.select_related("user"),
        "light_changes": task.light_changes.select_related("user"),
        "extensions": task.extensions.select_related("requested_by", "decided_by"),
        "pending": pending,
        "can": access.actions(request.user, task, today=today, pending_extension=bool(pending)),
        "milestone_form": MilestoneDoneForm(initial={"done_on": today}),
        "comment_form": CommentForm(),
        "note_form": NoteForm(),
        "extension_form": ExtensionForm(),
        "cancel_form": CancelForm(),
    }
    return render(request, "tasks/task_detail.html", context)


def back(task, request):
    url = reverse("tasks:task", args=[task.number])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def act(request, number, allowed, form_class, do, done_message):
    """POST-only actions: check access, validate the form, call the service, redirect."""
    task = readable_task(request, number)
    today = timezone.localdate()
    if not allowed(request.user, task, today):
        raise PermissionDenied(_("您没有执行该操作的权限，或任务当前状态不允许该操作。"))
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        errors = "；".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return back(task, request)
    try:
        do(task, form.cleaned_data if form is not None else {}, today)
    except services.TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message)
    return back(task, request)


def progress(request, number):
    task = readable_task(request, number)
    today = timezone.localdate()
    if not access.can_report(request.user, task):
        raise PermissionDenied(_("只有牵头单位的填报员可以报送该任务的进展。"))
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES, task=task, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.progress_report_save(
                    task=task,
                    user=request.user,
                    year=task.year,
                    month=data["month"],
                    situation=data["situation"],
                    percent=data["percent"],
                    problems=data["problems"],
                    next_steps=data["next_steps"],
                    coordination=data["coordination"],
                    files=data["files"],
                    today=today,
                )
            except services.TaskError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("本月进展已报送。"))
                return back(task, request)
    else:
        month = today.month if today.year == task.year else 12
        current = task.reports.filter(year=task.year, month=month).first()
        last = task.reports.first()
        initial = {"month": month}
        if current is not None:
            initial.update(
                percent=current.percent,
                situation=current.situation,
                problems=current.problems,
                next_steps=current.next_steps,
                coordination=current.coordination,
            )
        elif last is not None:
            initial["percent"] = last.percent
        form = ProgressForm(initial=initial, task=task, today=today)
    last = task.reports.first()
    return render(request, "tasks/progress_form.html", {"task": task, "form": form, "last": last})


@require_POST
def comment(request, number):
    return act(
        request,
        number,
        lambda user, task, today: access.can_comment(user, task),
        CommentForm,
        lambda task, data, today: services.task_comment(
            task=task, user=request.user, text=data["text"], today=today
        ),
        _("点评已发布。"),
    )


@require_POST
def milestone_done(request, number, pk):
    def do(task, data, today):
        milestone = get_object_or_404(Milestone, pk=pk, task=task)
        services.milestone_complete(
            milestone=milestone, user=request.user, done_on=data["done_on"], today=today
        )

    return act(
        request,
        number,
        lambda user, task, today: access.can_report(user, task),
        MilestoneDoneForm,
        do,
        _("节点已标记为完成。"),
    )


@require_POST
def close_request(request, number):
    return act(
        request,
        number,
        lambda user, task, today: access.can_request_close(user, task),
        NoteForm,
        lambda task, data, today: services.task_close_request(
            task=task, user=request.user, note=data["note"], today=today
        ),
        _("已申请销号，等待牵头领导审核。"),
    )


@require_POST
def close_decide(request, number):
    approve = request.POST.get("decision") == "approve"
    return act(
        request,
        number,
        lambda user, task, today: access.can_decide_close(user, task),
        NoteForm,
        lambda task, data, today: services.task_close_decide(
            task=task, user=request.user, approve=approve, note=data["note"], today=today
        ),
        _("已同意销号。") if approve else _("已退回销号申请。"),
    )


def _pending(task):
    return task.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists()


@require_POST
def extension_request(request, number):
    return act(
        request,
        number,
        lambda user, task, today: access.can_request_extension(user, task, today, _pending(task)),
        ExtensionForm,
        lambda task, data, today: services.extension_request(
            task=task,
            user=request.user,
            new_deadline=data["new_deadline"],
            reason=data["reason"],
            today=today,
        ),
        _("已申请延期，等待牵头领导审批。"),
    )


@require_POST
def extension_decide(request, number):
    approve = request.POST.get("decision") == "approve"
    return act(
        request,
        number,
        lambda user, task, today: access.can_decide_extension(user, task, today, _pending(task)),
        NoteForm,
        lambda task, data, today: services.extension_decide(
            task=task, user=request.user, approve=approve, note=data["note"], today=today
        ),
        _("已同意延期。") if approve else _("已不同意延期。"),
    )


@require_POST
def cancel(request, number):
    return act(
        request,
        number,
        lambda user, task, today: access.can_cancel(user, task),
        CancelForm,
        lambda task, data, today: services.task_cancel(
            task=task, user=request.user, reason=data["reason"], today=today
        ),
        _("任务已取消。"),
    )


@require_GET
def attachment(request, pk):
    item = get_object_or_404(Attachment.objects.select_related("report__task"), pk=pk)
    if not access.can_read(request.user, item.report.task):
        raise PermissionDenied(_("您没有查看该附件的权限。"))
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在。")) from None
    return FileResponse(handle, as_attachment=True, filename=item.name)


# --------------------------------------------------------------------------- API


@api_view
def api_tasks(request):
    """GET /api/v1/tasks?year=Y&as_of=YYYY-MM-DD — per task and the tally; 400 if wrong."""
    params = request.GET
    tree = AreaTree()
    with translation.override(settings.LANGUAGE_CODE):
        try:
            year = period_query(params, user=request.api_user, tree=tree, names=API_NAMES).year
            as_of = parse_as_of(params.get("as_of"), name="as_of")
        except BadParameter as exc:
            return json_error(f"{exc}。")
        except NotFound as exc:
            return json_error(f"{exc}。", 404)
    year = year or as_of.year
    if not year_in_range(year):
        return json_error(f"year 应在{YEAR_MIN}至{YEAR_MAX}之间。")
    readable = access.readable_task_areas(request.api_user, tree)
    tasks = Task.objects.filter(year=year, area_id__in=readable)
    rows = ledger_rows(year=year, as_of=as_of, tasks=tasks, tree=tree)
    tally = tally_from_rows(rows, year=year, as_of=as_of)
    return json_response(
        {
            "year": year,
            "as_of": as_of.isoformat(),
            "tasks": [row.as_json() for row in rows],
            "tally": {
                "total": tally["total"],
                "by_light": tally["by_light"],
                "by_status": {value: n for value, _, n in tally["by_status"]},
                "overdue": len(tally["overdue"]),
                "sentence": tally["sentence"],
                "departments": [b.as_json() for b in tally["departments"]],
                "leaders": [b.as_json() for b in tally["leaders"]],
            },
        }
    )
