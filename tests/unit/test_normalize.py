from __future__ import annotations

from knowledge.normalize import Normalizer, clean


def test_clean_folds_width_case_traditional_and_noise() -> None:
    assert clean("勞動合同　ＡＢＣ１２３！！😀 ") == "劳动合同abc123"


def test_typos_from_pinyin_input_are_fixed(normalizer: Normalizer) -> None:
    assert "加班" in normalizer.normalize("加斑费怎么算")
    assert "合同" in normalizer.normalize("没签和同")
    assert "工伤" in normalizer.normalize("公伤怎么认定")


def test_slang_is_rewritten_to_canonical_terms(normalizer: Normalizer) -> None:
    assert "辞退" in normalizer.normalize("我被老板炒鱿鱼了")
    assert "工资" in normalizer.normalize("工钱拖着不给")
    assert "社会保险" in normalizer.normalize("五险一金不交")
    assert "跑路" in normalizer.normalize("包工头卷钱跑了")


def test_tokens_hold_words_and_bigrams(normalizer: Normalizer) -> None:
    tokens = normalizer.tokens(normalizer.normalize("老板不给加班费"))
    assert "加班费" in tokens
    assert "~加班" in tokens
    assert "的" not in tokens


def test_empty_and_emoji_only_text_has_no_tokens(normalizer: Normalizer) -> None:
    assert normalizer.tokens(normalizer.normalize("🙏🙏  ！！")) == []


def test_canonical_terms_are_not_rewritten_from_inside(normalizer: Normalizer) -> None:
    # 民工 -> 农民工 must not turn 农民工 into 农农民工.
    assert normalizer.normalize("农民工也要交社保吗") == "农民工也要交社会保险吗"
