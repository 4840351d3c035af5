"""Personas of the ledger: the lead department's staff and reviewer, a town leader, the task's
lead leader, an administrator, people of another department or another town, and anonymous."""

import datetime

import pytest

from tests.factories import make_department, make_user

from .factories import make_milestone, make_task

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def lead_leader(town):
    return make_user("zhenzhang", role="leader", area=town, first_name="李镇长")


@pytest.fixture
def admin(town):
    return make_user("admin1", role="admin", area=town)


@pytest.fixture
def other_department(town):
    """A clerk of the same town in a department that does not lead the task."""
    return make_user("clerk_cz", role="clerk", area=town, department=make_department("财政所"))


@pytest.fixture
def task(town, department, lead_leader):
    task = make_task(
        town,
        number="2025-03-01",
        title="建设污水管网8公里",
        lead_department=department,
        lead_leader=lead_leader,
        deadline=datetime.date(2025, 12, 31),
    )
    make_milestone(task, datetime.date(2025, 9, 30), content="9月底前完成5公里")
    return task
