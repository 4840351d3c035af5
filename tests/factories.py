"""Plain builders for tests: `make_indicator(**overrides)` and friends, no factory library."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from indicators.models import (
    Area,
    Category,
    Department,
    Figure,
    Indicator,
    Membership,
    Target,
)

_seq = itertools.count(1)


def make_area(**overrides) -> Area:
    n = next(_seq)
    values = {"code": f"A{n:04d}", "name": f"区域{n}", "level": Area.Level.TOWN}
    values.update(overrides)
    return Area.objects.create(**values)


def make_town_with_villages(villages: int = 3, code: str = "T") -> tuple[Area, list[Area]]:
    town = make_area(code=code, name="测试镇", level=Area.Level.TOWN)
    children = [
        make_area(code=f"{code}V{i:02d}", name=f"第{i}村", level=Area.Level.VILLAGE, parent=town)
        for i in range(1, villages + 1)
    ]
    return town, children


def make_department(name: str = "经发办") -> Department:
    return Department.objects.get_or_create(name=name)[0]


def make_indicator(**overrides) -> Indicator:
    n = next(_seq)
    values = {
        "code": f"I{n:04d}",
        "name": f"指标{n}",
        "unit": "万元",
        "kind": Indicator.Kind.FLOW,
        "decimals": 2,
    }
    values.update(overrides)
    if "category" not in values:
        values["category"] = Category.objects.get_or_create(name="经济发展")[0]
    return Indicator.objects.create(**values)


def make_target(indicator, area, year=2025, value=None, **overrides) -> Target:
    return Target.objects.create(
        indicator=indicator,
        area=area,
        year=year,
        value=None if value is None else Decimal(str(value)),
        **overrides,
    )


def make_figure(indicator, area, year, month, value, **overrides) -> Figure:
    # Approved unless a test says otherwise: the summary reads approved figures by default.
    overrides.setdefault("status", Figure.Status.APPROVED)
    return Figure.objects.create(
        indicator=indicator,
        area=area,
        year=year,
        month=month,
        value=Decimal(str(value)),
        **overrides,
    )


def make_user(username: str, role: str | None = None, area=None, department=None, **fields):
    user = get_user_model().objects.create_user(username=username, password="pw-12345", **fields)
    if role:
        Membership.objects.create(user=user, role=role, area=area, department=department)
    return user


def make_town_scale(indicators: int, villages: int, code: str = "S") -> Area:
    """A town with `indicators` indicators (every other one entered per village, lagging, with
    village targets and a derived 达标村数) and three months of figures in 2024 and 2025: for
    query counts."""
    town, vs = make_town_with_villages(villages, code=f"{code}{indicators}")
    for i in range(indicators):
        ind = make_indicator(entry_level="village" if i % 2 else "town", is_key=i < 4)
        # Village-entered ones lag at the town, so the overview also reads each village.
        make_target(ind, town, value=10000 if i % 2 else 100)
        for area in vs if i % 2 else []:
            make_target(ind, area, value=500)
        for area in vs if i % 2 else [town]:
            for month in (1, 2, 3):
                make_figure(ind, area, 2025, month, month * 10)
                make_figure(ind, area, 2024, month, month * 9)
        if i % 2:
            make_indicator(
                rollup="count_at_least", source=ind, threshold=Decimal(15 + i), kind="count"
            )
    return town
