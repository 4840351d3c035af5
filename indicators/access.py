"""Who may read or write what: one helper per object type, used by every view and the API.

Reading follows the area tree: a user reads their own area and everything below it (a town's
users read the town and its villages; district users read every town). Administrators without
an area read everything.

Writing figures (issue 4): 填报员 and 审核员 write only their own department's indicators in their
own town (village-level ones: the villages of that town); 审核员 and administrators approve,
return and reopen. Leaders and district users write nothing.
"""

from django.utils.translation import gettext

from .areas import AreaTree
from .models import Area, Department, Indicator, Membership

Role = Membership.Role


def membership(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return getattr(user, "membership", None)


def _reach(user) -> object:
    """What a user's reading depends on: nothing (None), every area, or one member's area."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    if membership is None:
        # A user without a membership is nobody in the township, except the superuser who
        # installs and runs the instance for the whole district.
        return "all" if user.is_superuser else None
    return membership.area_id


def readable_area_ids(user, tree: AreaTree) -> frozenset[int]:
    """The areas `user` may read. Worked out once per tree (one per data version) and reach:
    a district's 3,000 areas are not walked again on every request."""
    reach = _reach(user)
    if reach is None:
        return frozenset()
    memo = tree.__dict__.setdefault("memo", {})
    found = memo.get(("readable", reach))
    if found is None:
        if reach == "all":
            found = frozenset(tree.by_id)
        else:
            home = tree.by_id.get(reach)
            # The member's area was removed: read nothing rather than guess.
            found = (
                frozenset()
                if home is None
                else frozenset({home.pk, *(a.pk for a in tree.descendants(home))})
            )
        memo[("readable", reach)] = found
    return found


def can_read_area(user, area: Area, tree: AreaTree) -> bool:
    return area.pk in readable_area_ids(user, tree)


def readable_towns(user, tree: AreaTree) -> list[Area]:
    """The towns the user may read, by code: the one list every selector of towns shows."""
    readable = readable_area_ids(user, tree)
    return sorted(
        (tree.by_id[i] for i in readable if tree.by_id[i].level == Area.Level.TOWN),
        key=lambda a: a.code,
    )


def home_area(user, tree: AreaTree) -> Area | None:
    """The user's own area, else the first town they may read: what a leader expects first."""
    m = membership(user)
    if m is not None:
        return tree.by_id.get(m.area_id)
    towns = readable_towns(user, tree)
    return towns[0] if towns else None


def _in_own_town(m: Membership, indicator: Indicator, area: Area) -> bool:
    """The area is where `indicator` is entered, inside the member's own town."""
    if area.level != indicator.entry_level:
        return False
    if indicator.entry_level == Indicator.EntryLevel.VILLAGE:
        return area.parent_id == m.area_id
    return area.pk == m.area_id


def can_enter(user, indicator: Indicator, area: Area) -> bool:
    """Write (save, submit) a figure of `indicator` at `area`."""
    m = membership(user)
    return (
        m is not None
        and m.role in (Role.CLERK, Role.REVIEWER)
        and m.department_id is not None
        and indicator.department_id == m.department_id
        and not indicator.is_derived
        and _in_own_town(m, indicator, area)
    )


def can_review(user, indicator: Indicator, area: Area) -> bool:
    """Approve, return or reopen a figure: the department's reviewer, or an administrator."""
    m = membership(user)
    if m is None:
        return user.is_authenticated and user.is_superuser
    # A derived or rolled-up value was never entered, so there is nothing to approve there.
    if indicator.is_derived or area.level != indicator.entry_level:
        return False
    if m.role == Role.ADMIN:
        # A town's 党政办 reviews every department of its town; a district's, every town.
        town = area.parent_id if area.level == Area.Level.VILLAGE else area.pk
        return town == m.area_id or (m.area.level == Area.Level.DISTRICT)
    return (
        m.role == Role.REVIEWER
        and indicator.department_id == m.department_id
        and _in_own_town(m, indicator, area)
    )


def entry_departments(user):
    """Departments whose entry grid the user may open (and write in)."""
    m = membership(user)
    if m is None or m.role not in (Role.CLERK, Role.REVIEWER) or m.department_id is None:
        return Department.objects.none()
    return Department.objects.filter(pk=m.department_id)


def review_departments(user):
    """Departments whose review page the user may open."""
    m = membership(user)
    if m is None:
        superuser = user.is_authenticated and user.is_superuser
        return Department.objects.all() if superuser else Department.objects.none()
    if m.role == Role.ADMIN:
        return Department.objects.all()
    if m.role == Role.REVIEWER and m.department_id:
        return Department.objects.filter(pk=m.department_id)
    return Department.objects.none()


def work_town(user, tree: AreaTree) -> Area | None:
    """The town whose figures the user enters or reviews."""
    m = membership(user)
    if m is not None:
        area = tree.by_id.get(m.area_id)
        return area if area is not None and area.level == Area.Level.TOWN else None
    if user.is_authenticated and user.is_superuser:
        towns = readable_towns(user, tree)
        return towns[0] if towns else None
    return None


def can_read_progress(user, town: Area, tree: AreaTree) -> bool:
    """填报进度 of a town: whoever reads the town (leaders, reviewers, staff, district users)."""
    return can_read_area(user, town, tree)


def area_choices(user, tree: AreaTree, area: Area | None) -> list[Area]:
    """The area selector: every readable district and town, and the villages of the town in
    view only (a district of 20 towns would otherwise list 600 villages)."""
    town = tree.town_of(area) if area is not None else None
    key = ("choices", _reach(user), town.pk if town is not None else None)
    memo = tree.__dict__.setdefault("memo", {})
    if key not in memo:  # once per tree, reach and town; shared, read only
        choices = [
            a
            for a in map(tree.by_id.get, readable_area_ids(user, tree))
            if a.level != Area.Level.VILLAGE or (town is not None and a.parent_id == town.pk)
        ]
        memo[key] = sorted(choices, key=lambda a: a.code)
    return memo[key]


def admin_area_ids(user, tree: AreaTree) -> set[int] | None:
    """The areas whose records the user keeps in the admin; None for every area.

    A superuser keeps the whole district (全区管理员). A town's administrator (a staff user
    with the 管理员 role) keeps the records of the areas they read: their town and its
    villages, or a whole district for a district's administrator. Anyone else, none.
    """
    if user.is_superuser:
        return None
    m = membership(user)
    if m is None or m.role != Role.ADMIN or not user.is_staff:
        return set()
    return readable_area_ids(user, tree)


def admin_scope_name(user, tree: AreaTree) -> str:
    """The admin's words for the user's reach: "全区管理员", or "示例镇管理员"."""
    if user.is_superuser:
        return gettext("全区管理员")
    m = membership(user)
    area = tree.by_id.get(m.area_id) if m is not None else None
    if area is None or m.role != Role.ADMIN:
        return ""
    if area.level == Area.Level.DISTRICT:
        return gettext("全区管理员")
    return gettext("%(area)s管理员") % {"area": area.name}
