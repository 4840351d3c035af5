"""待办: what waits for the signed-in user, by role, each item linking to where it is done.

- 填报员 (clerk): the department's figures due for the reporting month (and the month before,
  while it is incomplete) with their deadline, figures returned with a comment, and the
  progress reports due on the tasks the department leads;
- 审核员 (reviewer): the department's figures waiting for review, by month;
- 领导 (leader): 销号 and extension requests of the tasks they lead;
- 管理员 (administrator): the months to close (past their deadline with figures still missing
  or waiting), a year to open (no targets set yet), and the requests of tasks whose lead leader
  is a name that matches no user, which an administrator decides (DOMAIN §6).

The app keeps no open/closed state for a month (any month that has ended accepts figures), so
"closing" a month means getting every due figure reported and approved after its deadline.

Composes the core (figures, targets, deadlines) and the ledger (tasks), hence it lives in the
reports layer. The menu's count (`reports.context_processors`) and the pages read the same
`todo_for`, cached on the request, in a fixed number of queries per role.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from indicators import access, rollup, versions
from indicators.formatting import date_label, month_label
from indicators.models import Area, Figure, Indicator, Membership, ReportingWindow, Target
from indicators.periods import deadline, default_period, is_due
from tasks.models import ExtensionRequest, ProgressReport, Task

Role = Membership.Role
Status = Figure.Status
CLOSING_SHOWN = 3  # months to close listed one by one; older ones are counted in one line


class Kind:
    """What an item asks for; the template's class names (`todo-enter` …) follow these."""

    ENTER = "enter"  # figures to enter and submit
    FIX = "fix"  # returned figures to correct
    REPORT = "report"  # a task's progress report
    REVIEW = "review"  # figures to approve or return
    DECIDE = "decide"  # 销号 or an extension to approve
    CLOSE = "close"  # a month past its deadline, not yet complete
    OPEN = "open"  # a year without targets


@dataclass(frozen=True)
class Item:
    kind: str
    text: str  # what to do, in the page's language
    url: str  # where it is done
    count: int = 1  # how many things (figures, reports, requests) it stands for
    due: datetime.date | None = None  # its deadline
    late: bool = False
    note: str = ""  # a word beside it ("申请于10月20日")

    @property
    def due_text(self) -> str:
        return date_label(self.due) if self.due else ""


@dataclass(frozen=True)
class Todo:
    items: list = field(default_factory=list)

    @property
    def count(self) -> int:
        """The menu's number: figures, reports and requests waiting, months to close."""
        return sum(item.count for item in self.items)


def todo_for(user, *, today: datetime.date | None = None, tree=None) -> Todo:
    """The user's 待办 on `today` (default: today). Anonymous users and users without a role in
    the township have none. `tree` (`versions.area_tree()`) spares reading the version again."""
    if not user.is_authenticated:
        return Todo()
    today = today or timezone.localdate()
    m = access.membership(user)
    if m is None:
        return Todo(_administrator(user, None, today, tree)) if user.is_superuser else Todo()
    if m.role == Role.CLERK and m.department_id:
        return Todo(_clerk(m, today))
    if m.role == Role.REVIEWER and m.department_id:
        return Todo(_reviewer(m))
    if m.role == Role.LEADER:
        return Todo(_requests(Task.objects.filter(lead_leader=user)))
    if m.role == Role.ADMIN:
        return Todo(_administrator(user, m, today, tree))
    return Todo()


def todo_for_request(request, tree=None) -> Todo:
    """`todo_for(request.user)`, computed once per request (the menu and the page share it)."""
    if not hasattr(request, "_todo"):
        request._todo = todo_for(request.user, tree=tree)
    return request._todo


# ---------------------------------------------------------------------------- clerks


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def _grid_url(year: int, month: int) -> str:
    return reverse("indicators:entry") + "?" + urlencode({"year": year, "month": month})


def _clerk(m: Membership, today: datetime.date) -> list[Item]:
    """Three queries: the department's indicators (with the town's village count and their
    deadline day), its figures' counts, the tasks whose report is due."""
    town = m.area_id
    villages = (
        Area.objects.filter(parent_id=town, level=Area.Level.VILLAGE)
        .order_by()
        .values("parent_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    day = ReportingWindow.objects.filter(cadence=OuterRef("cadence")).values("deadline_day")[:1]
    indicators = list(
        Indicator.objects.filter(department_id=m.department_id, source__isnull=True)
        .annotate(villages=Subquery(villages), deadline_day=Subquery(day))
        .order_by()
        .only("cadence", "entry_level")
    )
    days = {i.cadence: i.deadline_day for i in indicators if i.deadline_day is not None}
    now = default_period(today)
    periods = [now, _previous(*now)]
    in_periods = Q()
    for year, month in periods:
        in_periods |= Q(year=year, month=month)
    # Figures are entered only where their indicator is entered (the town, or its villages),
    # so counting them per indicator and period is counting the rows of the grid.
    counts = {
        (ind, y, mo, status): n
        for ind, y, mo, status, n in Figure.objects.filter(
            Q(area_id=town) | Q(area__parent_id=town), indicator__department_id=m.department_id
        )
        .filter(in_periods | Q(status=Status.RETURNED))
        .order_by()
        .values_list("indicator_id", "year", "month", "status")
        .annotate(n=Count("id"))
    }
    items = []
    for year, month in periods:
        due, missing, first_due = 0, 0, None
        for ind in indicators:
            if ind.period_month(month) != month:
                continue
            expected = (ind.villages or 0) if ind.is_village_entered else 1
            done = sum(
                counts.get((ind.pk, year, month, s), 0)
                for s in (Status.SUBMITTED, Status.APPROVED, Status.RETURNED)
            )
            due += expected
            missing += max(expected - done, 0)
            day = deadline(ind.cadence, year, month, days=days)
            first_due = min(first_due or day, day)
        if missing == 0:
            continue
        words = {"period": month_label(month, year), "due": due, "n": missing}
        items.append(
            Item(
                Kind.ENTER,
                _("%(period)s数据：应报%(due)s项，还有%(n)s项未报送") % words,
                _grid_url(year, month),
                count=missing,
                due=first_due,
                late=first_due is not None and today > first_due,
            )
        )
    returned = {}
    for (_ind, year, month, status), n in counts.items():
        if status == Status.RETURNED:
            returned[year, month] = returned.get((year, month), 0) + n
    for (year, month), n in sorted(returned.items(), reverse=True):
        items.append(
            Item(
                Kind.FIX,
                _("%(period)s有%(n)s项数据被退回：请按退回意见修改后重新报送")
                % {"period": month_label(month, year), "n": n},
                _grid_url(year, month),
                count=n,
            )
        )
    return items + _reports_due(m, today)


def _reports_due(m: Membership, today: datetime.date) -> list[Item]:
    """The month's progress report of each active task the department leads: this month's for
    this year's tasks, December's for last year's still open (the progress form's months)."""

    def report(month):
        return ProgressReport.objects.filter(
            task=OuterRef("pk"), year=OuterRef("year"), month=month
        )

    tasks = (
        Task.objects.filter(
            lead_department_id=m.department_id,
            area_id=m.area_id,
            status__in=(Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS, Task.Status.EXTENDED),
        )
        .alias(has_this=Exists(report(today.month)), has_december=Exists(report(12)))
        .filter(Q(year=today.year, has_this=False) | Q(year=today.year - 1, has_december=False))
        .order_by("number")
        .only("number", "title", "year")
    )
    items = []
    for task in tasks:
        month = today.month if task.year == today.year else 12
        items.append(
            Item(
                Kind.REPORT,
                _("%(number)s %(title)s：%(period)s进展未报送")
                % {
                    "number": task.number,
                    "title": task.title,
                    "period": month_label(month, task.year),
                },
                reverse("tasks:progress", args=[task.number]),
            )
        )
    return items


# ---------------------------------------------------------------------------- reviewers


def _review_url(department_id: int, year: int, month: int) -> str:
    query = {"department": department_id, "year": year, "month": month}
    return reverse("indicators:entry-review") + "?" + urlencode(query)


def _reviewer(m: Membership) -> list[Item]:
    """One query: the department's submitted figures in the reviewer's town, by month."""
    waiting = (
        Figure.objects.filter(
            Q(area_id=m.area_id) | Q(area__parent_id=m.area_id),
            indicator__department_id=m.department_id,
            status=Status.SUBMITTED,
        )
        .order_by()
        .values_list("year", "month")
        .annotate(n=Count("id"))
        .order_by("-year", "-month")
    )
    return [
        Item(
            Kind.REVIEW,
            _("%(period)s：%(n)s项数据待审核") % {"period": month_label(month, year), "n": n},
            _review_url(m.department_id, year, month),
            count=n,
        )
        for year, month, n in waiting
    ]


# ---------------------------------------------------------------------------- leaders


def _requested(day: datetime.date | None) -> str:
    return _("申请于%(day)s") % {"day": date_label(day)} if day else ""


def _requests(tasks) -> list[Item]:
    """销号 and extension requests awaiting a decision on `tasks`, in one query."""
    pending = ExtensionRequest.objects.filter(
        task=OuterRef("pk"), decision=ExtensionRequest.Decision.PENDING
    )
    waiting = (
        tasks.annotate(
            extend_to=Subquery(pending.values("new_deadline")[:1]),
            extend_asked=Subquery(pending.values("requested_on")[:1]),
        )
        .filter(Q(status=Task.Status.CLOSE_REQUESTED) | Q(extend_to__isnull=False))
        .order_by("number")
        .only("number", "title", "status", "close_requested_on")
    )
    items = []
    for t in waiting:
        url = reverse("tasks:task", args=[t.number])
        words = {"number": t.number, "title": t.title}
        if t.status == Task.Status.CLOSE_REQUESTED:
            text = _("%(number)s %(title)s：申请销号，待审批") % words
            items.append(Item(Kind.DECIDE, text, url, note=_requested(t.close_requested_on)))
        if t.extend_to is not None:
            words["day"] = date_label(t.extend_to)
            text = _("%(number)s %(title)s：申请延期至%(day)s，待审批") % words
            items.append(Item(Kind.DECIDE, text, url, note=_requested(t.extend_asked)))
    return items


# ---------------------------------------------------------------------------- administrators


def _administrator(user, m: Membership | None, today: datetime.date, tree=None) -> list[Item]:
    """Months to close, a year to open, and the requests without a leader. The first two are
    read from figures, targets, areas and the catalogue only, so they are kept under the data
    version like a summary (every write of those replaces it), per scope and day; the requests
    are read afresh (task writes do not replace the version)."""
    # A town's 党政办 looks after its town; a district's (or the superuser) after every town.
    town = None if m is None or m.area.is_district else m.area_id
    items = versions.cached(
        "todo-admin", (town, today.isoformat()), lambda: _closing(town, today, tree), tree=tree
    )
    tasks = Task.objects.filter(lead_leader__isnull=True)
    if town is not None:
        tasks = tasks.filter(area_id=town)
    return items + _requests(tasks)


def _closing(town: int | None, today: datetime.date, tree=None) -> list[Item]:
    """The months of `town` (None: every town) to close and the year to open on `today`."""
    if town is None:
        scope, places_in = Q(), Q(level__in=(Area.Level.TOWN, Area.Level.VILLAGE))
    else:
        scope, places_in = Q(area_id=town) | Q(area__parent_id=town), Q(pk=town) | Q(parent_id=town)
    places = dict(
        Area.objects.filter(places_in).order_by().values_list("level").annotate(n=Count("id"))
    )
    entered = list(
        Indicator.objects.filter(source__isnull=True, department__isnull=False)
        .order_by()
        .values_list("cadence", "entry_level")
    )
    days = ReportingWindow.deadline_days()
    # Every month from December of last year to the last one whose deadline has passed.
    year, month = default_period(today)
    if today <= deadline(Indicator.Cadence.MONTHLY, year, month, days=days):
        year, month = _previous(year, month)
    months = []
    while (year, month) >= (today.year - 1, 12):
        months.append((year, month))
        year, month = _previous(year, month)
    if town is None:  # every town: from the stored roll-up, not every village's figures
        counted = rollup.status_counts(today.year - 1, tree)
    else:
        counted = dict(
            ((y, mo, s), n)
            for y, mo, s, n in Figure.objects.filter(scope, indicator__source__isnull=True)
            .filter(year__gte=today.year - 1)
            .order_by()
            .values_list("year", "month", "status")
            .annotate(n=Count("id"))
        )
    open_months = []
    for y, mo in months:
        due = sum(places.get(level, 0) for cadence, level in entered if is_due(cadence, mo))
        approved = counted.get((y, mo, Status.APPROVED), 0)
        if due and approved < due:
            open_months.append((y, mo, due, approved, counted.get((y, mo, Status.SUBMITTED), 0)))
    items = []
    progress = reverse("indicators:entry-progress")
    for y, mo, due, approved, waiting in open_months[:CLOSING_SHOWN]:
        words = {"period": month_label(mo, y), "due": due, "approved": approved, "n": waiting}
        text = _("%(period)s数据尚未收齐：应报%(due)s项，已审核%(approved)s项") % words
        if waiting:
            text += _("，待审核%(n)s项") % words
        items.append(
            Item(
                Kind.CLOSE,
                text,
                progress + "?" + urlencode({"year": y, "month": mo}),
                due=deadline(Indicator.Cadence.MONTHLY, y, mo, days=days),
                late=True,
            )
        )
    older = open_months[CLOSING_SHOWN:]
    if older:
        y, mo = older[0][:2]
        items.append(
            Item(
                Kind.CLOSE,
                _("更早还有%(n)s个月的数据尚未收齐") % {"n": len(older)},
                progress + "?" + urlencode({"year": y, "month": mo}),
                count=len(older),
                late=True,
            )
        )
    targets = Target.objects.filter(scope, year=today.year)
    if not targets.exists():
        items.append(
            Item(
                Kind.OPEN,
                _("%(year)s年还没有设置指标目标：导入工作簿的「目标」表，或在管理后台逐项添加")
                % {"year": today.year},
                reverse("admin:indicators_target_changelist"),
            )
        )
    return items
