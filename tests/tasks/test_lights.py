import datetime

import pytest

from tasks import lights
from tasks.lights import Light, Rule, judge, on_time, tally_sentence

D = datetime.date
DEADLINE = D(2025, 12, 31)
DEFAULT = Rule()


def light(today, status="in_progress", milestones=(), rule=DEFAULT, **kwargs):
    return judge(
        status=status,
        deadline=kwargs.pop("deadline", DEADLINE),
        milestones=list(milestones),
        today=today,
        rule=rule,
        **kwargs,
    )


def test_on_schedule_is_green():
    j = light(D(2025, 6, 1))
    assert (j.light, j.overdue, j.days_left) == (Light.GREEN, False, 213)


@pytest.mark.parametrize("status", ["not_started", "in_progress", "extended"])
def test_every_open_status_is_judged_by_dates(status):
    assert light(D(2026, 1, 1), status=status).light == Light.RED


def test_seven_days_before_the_deadline_turns_yellow_and_eight_does_not():
    assert light(D(2025, 12, 23)).light == Light.GREEN
    j = light(D(2025, 12, 24))
    assert j.light == Light.YELLOW and "仅剩7天" in j.reason


def test_the_deadline_day_itself_is_not_overdue():
    assert light(DEADLINE).light == Light.YELLOW
    j = light(D(2026, 1, 1))
    assert (j.light, j.overdue, j.days_left) == (Light.RED, True, -1)
    assert "1天" in j.reason


def test_a_missed_milestone_turns_yellow_from_the_day_after_it_is_due():
    milestone = ("完成设计", D(2025, 5, 31), None)
    assert light(D(2025, 5, 31), milestones=[milestone]).light == Light.GREEN
    j = light(D(2025, 6, 1), milestones=[milestone])
    assert j.light == Light.YELLOW and "完成设计" in j.reason


def test_a_milestone_done_on_time_or_late_no_longer_counts_as_missed():
    done_late = ("完成设计", D(2025, 5, 31), D(2025, 6, 10))
    assert light(D(2025, 6, 5), milestones=[done_late]).light == Light.YELLOW
    assert light(D(2025, 6, 10), milestones=[done_late]).light == Light.GREEN


def test_the_grace_period_is_data():
    milestone = ("完成设计", D(2025, 5, 31), None)
    rule = Rule(milestone_grace_days=5)
    assert light(D(2025, 6, 5), milestones=[milestone], rule=rule).light == Light.GREEN
    assert light(D(2025, 6, 6), milestones=[milestone], rule=rule).light == Light.YELLOW


def test_warn_days_is_data():
    assert light(D(2025, 12, 1), rule=Rule(warn_days=30)).light == Light.YELLOW


def test_overdue_wins_over_a_missed_milestone():
    milestone = ("完成设计", D(2025, 5, 31), None)
    assert light(D(2026, 2, 1), milestones=[milestone]).light == Light.RED


def test_closed_is_blue_and_cancelled_has_no_light():
    assert light(D(2026, 6, 1), status="closed").light == Light.BLUE
    j = light(D(2026, 6, 1), status="cancelled")
    assert (j.light, j.overdue) == (None, False)


def test_close_requested_on_time_waits_green_but_requested_late_is_overdue():
    on_time_request = light(D(2026, 1, 10), status="close_requested", close_requested_on=DEADLINE)
    assert on_time_request.light == Light.GREEN and not on_time_request.overdue
    late = light(D(2026, 1, 10), status="close_requested", close_requested_on=D(2026, 1, 5))
    assert late.light == Light.RED and late.overdue


def test_on_time_counts_closed_tasks_by_their_closing_date():
    assert on_time(
        status="closed", deadline=DEADLINE, today=D(2026, 2, 1), closed_on=DEADLINE, overdue=False
    )
    assert not on_time(
        status="closed",
        deadline=DEADLINE,
        today=D(2026, 2, 1),
        closed_on=D(2026, 1, 2),
        overdue=False,
    )
    assert on_time(status="cancelled", deadline=DEADLINE, today=DEADLINE, overdue=False) is None
    assert not on_time(status="in_progress", deadline=DEADLINE, today=DEADLINE, overdue=True)


def test_tally_sentence_reads_as_in_domain_7():
    counts = {Light.BLUE: 12, Light.GREEN: 25, Light.YELLOW: 4, Light.RED: 1}
    assert tally_sentence(counts) == "42项重点任务中，已完成12项，达进度25项，欠进度4项，逾期1项。"
    assert tally_sentence({}) == "0项重点任务中，已完成0项，达进度0项，欠进度0项，逾期0项。"


def test_labels_follow_the_summaries_words():
    assert [lights.LABELS[light] for light in lights.ORDER] == [
        "已完成",
        "达进度",
        "欠进度",
        "逾期",
    ]
