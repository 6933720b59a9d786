"""Triage on the lexicon's edge cases (probes written for the lexicon, not the eval set)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.triage import Route, TriageRules

PROBES = yaml.safe_load((Path(__file__).parent / "triage_probes.yaml").read_text("utf-8"))
RULES = TriageRules.load()


@pytest.mark.parametrize("probe", PROBES, ids=[p["text"][:16] for p in PROBES])
def test_probe_gets_its_route_and_flags(probe: dict) -> None:
    # An unknown question with no labour words is out of scope even without a topic match.
    result = RULES.classify(probe["text"], match_score=0.5, unknown_below=0.3)
    assert result.route == Route(probe["route"]), result.reasons
    assert result.crisis == probe["crisis"], result.reasons
    assert result.collective == probe["collective"], result.reasons


def test_self_harm_is_a_crisis_even_inside_a_wage_question() -> None:
    result = RULES.classify("工资一年没拿到，我真的不想活了")
    assert result.route is Route.URGENT
    assert "self_harm" in result.crisis_kinds


def test_a_deadline_within_days_is_urgent_but_a_question_about_deadlines_is_not() -> None:
    assert RULES.classify("仲裁时效后天就到期了，材料还没准备好").route is Route.URGENT
    assert RULES.classify("劳动仲裁的时效是多久").route is Route.SELF_HELP


def test_many_workers_alone_flags_collective_without_urgency() -> None:
    result = RULES.classify("我们厂三十多个工友都被拖欠了两个月工资，可以一起申请仲裁吗")
    assert result.collective
    assert result.route is not Route.URGENT


def test_labour_words_keep_a_commuting_accident_in_scope() -> None:
    assert RULES.classify("上班路上被车撞了，算工伤吗").route is not Route.OUT_OF_SCOPE
    assert RULES.classify("周末开车出去玩追尾了，保险怎么赔").route is Route.OUT_OF_SCOPE


def test_low_match_without_labour_words_is_out_of_scope() -> None:
    result = RULES.classify("今天天气怎么样", match_score=0.05, unknown_below=0.3)
    assert result.route is Route.OUT_OF_SCOPE


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("我女儿在学校被同学打了，老师也不管", Route.OUT_OF_SCOPE),  # violence, not at work
        ("不想打官司，这种事能调解吗", Route.SELF_HELP),  # a negated intent
        ("进了厂才发现手机被收了，门口有人看着不让走", Route.URGENT),  # confinement
        ("工伤认定申请下周就满一年了，公司还没给我报", Route.URGENT),  # a deadline within days
        ("个人所得税年度汇算怎么退税", Route.OUT_OF_SCOPE),
    ],
)
def test_edge_cases_found_on_a_private_probe_set(text: str, route: Route) -> None:
    assert RULES.classify(text, match_score=0.5, unknown_below=0.3).route is route


def test_one_refusal_matched_by_overlapping_patterns_counts_once() -> None:
    # "不给我报工伤" is one refusal, and the worker asks an information question.
    assert RULES.classify("公司不给我报工伤，我自己能申请吗").route is Route.SELF_HELP
