from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.laws import (
    LawLibrary,
    article_heading,
    chinese_to_int,
    int_to_chinese,
    parse_article_ref,
)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一百一十", 110),
        ("二百七十六", 276),
        ("四百五十二", 452),
    ],
)
def test_chinese_numerals_round_trip(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value
    assert int_to_chinese(value) == numeral


def test_article_headings_include_zhi_yi_suffixes() -> None:
    assert article_heading("82") == "第八十二条"
    assert article_heading("276-1") == "第二百七十六条之一"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("82", "82"),
        ("第82条", "82"),
        ("第八十二条", "82"),
        ("276之一", "276-1"),
        ("276-1", "276-1"),
        ("第二百七十六条之一", "276-1"),
        ("abc", None),
        ("0", None),
    ],
)
def test_article_references_as_users_type_them(typed: str, canonical: str | None) -> None:
    assert parse_article_ref(typed) == canonical


def test_library_reads_articles_and_suffixed_articles(laws_dir: Path) -> None:
    laws = LawLibrary(laws_dir)
    article = laws.get("劳动合同法", "82")
    assert article is not None
    assert article.text.startswith("第八十二条")
    assert "二倍的工资" in article.text
    assert laws.get("刑法", "276-1") is not None
    assert laws.get("劳动合同法", "99") is None  # the law has 98 articles
    assert laws.get("不存在的法", "1") is None


def test_articles_stop_at_chapter_headings(laws_dir: Path) -> None:
    text = LawLibrary(laws_dir).get("劳动合同法", "6")
    assert text is not None
    assert "## " not in text.text and "第二章" not in text.text


def test_law_names_resolve_from_what_users_type(laws_dir: Path) -> None:
    laws = LawLibrary(laws_dir)
    assert laws.resolve_law("中华人民共和国劳动合同法") == "劳动合同法"
    assert laws.resolve_law("《劳动法》") == "劳动法"
    assert laws.resolve_law("工伤保险条例") == "工伤保险条例"
    assert laws.resolve_law("公司法") is None  # not in LAWS_DIR (民法典 is, since 2026-12-01)


def test_missing_directory_is_reported_not_raised(tmp_path: Path) -> None:
    laws = LawLibrary(tmp_path / "nowhere")
    assert not laws.available
    assert laws.get("劳动法", "1") is None
