"""The shipped knowledge base: citations exist, topics are covered, entries are well formed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.citations import check_citations
from knowledge.entries import PLACEHOLDERS, LocalFigures, load_yaml_dir
from knowledge.laws import LawLibrary

ENTRIES = load_yaml_dir()


def test_every_citation_names_an_existing_law_and_article(laws_dir: Path) -> None:
    assert check_citations(ENTRIES, LawLibrary(laws_dir)) == []


def test_citation_check_catches_invented_articles(laws_dir: Path) -> None:
    from dataclasses import replace

    from knowledge.entries import Citation

    bad = replace(ENTRIES[0], citations=(Citation("劳动合同法", "99"), Citation("公司法", "1")))
    problems = check_citations([bad], LawLibrary(laws_dir))
    assert len(problems) == 2


def _topics(laws_dir: Path) -> set[str]:
    # The topics list sits beside the statutes in ../shared.
    text = (laws_dir.parent / "knowledge-topics.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### `([a-z0-9-]+)`", text, flags=re.MULTILINE))


def test_every_topic_of_the_topics_file_has_an_entry(laws_dir: Path) -> None:
    topics = _topics(laws_dir)
    assert len(topics) > 50
    covered = {e.topic for e in ENTRIES}
    assert sorted(topics - covered) == []


def test_every_entry_belongs_to_a_known_topic(laws_dir: Path) -> None:
    unknown = {e.id: e.topic for e in ENTRIES if e.topic not in _topics(laws_dir)}
    assert unknown == {}


def test_entries_are_short_and_fit_telegram_buttons() -> None:
    for entry in ENTRIES:
        assert len(entry.answer) <= 520, entry.id
        assert len(entry.title) <= 16, entry.id
        assert len(f"fb:n:{entry.id}".encode()) <= 64, entry.id
        assert len(entry.alternates) >= 5, entry.id


def test_answers_use_only_known_placeholders() -> None:
    for entry in ENTRIES:
        for name in re.findall(r"\{([^{}]*)\}", entry.answer):
            assert name in PLACEHOLDERS, entry.id


@pytest.mark.parametrize("configured", [True, False])
def test_local_figures_fill_placeholders_or_say_where_to_check(configured: bool) -> None:
    local = LocalFigures(region="苏州市", min_wage_monthly=2490) if configured else LocalFigures()
    text = local.render("不低于{local_min_wage}，丧葬补助金按{local_avg_wage}计算")
    assert "{" not in text
    if configured:
        assert "苏州市：每月2490元" in text
    else:
        assert "12333" in text and "元" not in text


def test_no_answer_claims_eleven_public_holidays() -> None:
    # 13 days since 2025-01-01 (State Council decree 798); the old notice's 11 is out of date.
    for entry in ENTRIES:
        assert "11天法定" not in entry.answer and "法定节假日11天" not in entry.answer, entry.id
