"""Matching colloquial questions (written for these tests, not taken from the eval set)."""

from __future__ import annotations

import pytest

from knowledge.entries import load_yaml_dir
from knowledge.matcher import Matcher
from knowledge.normalize import Normalizer


@pytest.fixture(scope="module")
def matcher(normalizer: Normalizer) -> Matcher:
    return Matcher(load_yaml_dir(), normalizer)


def cited(matcher: Matcher, question: str) -> set[tuple[str, str]]:
    best = matcher.match(question).best
    assert best is not None, question
    return {(c.law, c.article) for c in best.entry.citations}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("进厂五个月了还没签合同，能找厂里要双倍工钱不", ("劳动合同法", "82")),
        ("加斑费咋算的，周六周日干活给几倍", ("劳动法", "44")),
        ("公司裁员把我辞了，干了三年，经济补偿能拿几个月", ("劳动合同法", "47")),
        ("包工头卷钱跑了，我们的工钱找谁要", ("保障农民工工资支付条例", "36")),
        ("干活的时候从架子上摔下来骨折了，算不算公伤", ("工伤保险条例", "14")),
        ("勞動合同到期公司不續簽，有補償嗎", ("劳动合同法", "46")),
        ("怀孕了公司要辞退我，合法吗", ("劳动合同法", "42")),
    ],
)
def test_colloquial_questions_find_the_right_article(
    matcher: Matcher, question: str, expected: tuple[str, str]
) -> None:
    assert expected in cited(matcher, question)


def test_scores_are_probabilities_and_sorted(matcher: Matcher) -> None:
    result = matcher.match("试用期可以随便辞退吗", k=3)
    scores = [s.score for s in result.ranked]
    assert len(scores) == 3
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] == max(scores)


def test_nonsense_and_empty_questions_score_low(matcher: Matcher) -> None:
    assert matcher.match("").score == 0.0
    assert matcher.match("🙏🙏🙏").score == 0.0
    assert matcher.match("asdfgh qwerty").score < 0.3


def test_a_long_story_offers_the_fact_that_matters_among_the_top_three(matcher: Matcher) -> None:
    story = (
        "我是河南的，前年跟着老乡到苏州一个电子厂上班，一开始说好包吃住，后来宿舍也不给住了，"
        "上个月线长说我动作慢，让我明天不用来了，也没说给什么补偿，我干了两年多了，"
        "这样能要到钱吗"
    )
    dismissal_articles = {("劳动合同法", a) for a in ("39", "40", "46", "47", "48", "87")}
    top3 = matcher.match(story, k=3).ranked
    assert any({(c.law, c.article) for c in s.entry.citations} & dismissal_articles for s in top3)
