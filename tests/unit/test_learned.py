"""The learned ranker and triage: features, threshold choice, decisions, the trained bundle."""

from __future__ import annotations

import numpy as np
import pytest

from bot.learning import load_or_train
from bot.settings import Settings
from knowledge.corpus import Example, load_corpus
from knowledge.decide import decide_route, has_words, is_small_talk
from knowledge.entries import load_yaml_dir
from knowledge.learned import Featurizer, Thresholds
from knowledge.matcher import Matcher
from knowledge.normalize import Normalizer, clean
from knowledge.textfeatures import clip, to_pinyin
from knowledge.train import (
    _threshold_for_precision,
    _threshold_for_recall,
    heldout_predictions,
)
from knowledge.triage import Route, Triage, TriageRules
from knowledge.understand import analyse

ENTRIES = load_yaml_dir()


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


@pytest.fixture(scope="module")
def bundle(normalizer: Normalizer):
    return load_or_train(ENTRIES, normalizer, Settings().model_path)


def test_pinyin_view_makes_homophones_meet() -> None:
    assert to_pinyin("工资") == to_pinyin("工姿") == "gongzi"
    assert to_pinyin("合同") == to_pinyin("和同")
    assert to_pinyin("ot加班") == "otjiaban"


def test_clip_keeps_head_and_tail() -> None:
    text = "开头" + "中" * 3000 + "最后的问题"
    clipped = clip(text, 300)
    assert len(clipped) == 300 and clipped.startswith("开头") and clipped.endswith("最后的问题")


def test_fast_row_equals_scikit_learn_transform(normalizer: Normalizer) -> None:
    texts = [e.text for e in load_corpus(ENTRIES[:20]).examples[::37]][:200]
    featurizer = Featurizer(normalizer)
    featurizer.fit_transform(texts)
    for text in [*texts[:80], "完全没见过的字词 xyz", ""]:
        slow = featurizer.transform([text]).toarray()
        fast = featurizer.transform_one(text).toarray()
        assert np.allclose(slow, fast, atol=1e-5), text


def test_recall_threshold_keeps_the_share_asked_for() -> None:
    scores = np.linspace(-2, 2, 200)
    cut = _threshold_for_recall(scores, 0.97)
    assert (scores >= cut).mean() >= 0.97
    assert (scores >= cut).mean() < 0.99


def test_precision_threshold_is_the_lowest_that_holds() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random(2000)
    right = rng.random(2000) < scores  # higher scores are right more often
    cut = _threshold_for_precision(scores, right, 0.9, 0.0)
    kept = scores >= cut
    assert right[kept].mean() >= 0.9
    # A little lower and precision drops below the target.
    assert right[scores >= cut - 0.05].mean() < 0.9 + 0.02


def test_lexicon_crisis_overrides_a_calm_model() -> None:
    lexicon = Triage(Route.URGENT, crisis=True, crisis_kinds=("self_harm",))
    calm = {"self_help": 2.0, "legal_aid": -1.0, "urgent": -3.0, "out_of_scope": -2.0}
    decision = decide_route(calm, lexicon, 0.9, Thresholds())
    assert decision.route == Route.URGENT and decision.kinds == ("self_harm",)
    assert decision.crisis


def test_model_band_decides_urgent_check_or_nothing() -> None:
    t = Thresholds(urgent=0.0, check=-0.5)
    plain = Triage(Route.SELF_HELP)
    margins = {"self_help": 0.5, "legal_aid": -1.0, "out_of_scope": -2.0}
    urgent = decide_route({**margins, "urgent": 0.1}, plain, 0.5, t, model_kind="threat")
    assert urgent.route == Route.URGENT and urgent.kinds == ("violence",)
    unsure = decide_route({**margins, "urgent": -0.2}, plain, 0.5, t)
    assert unsure.route == Route.SELF_HELP and unsure.check
    calm = decide_route({**margins, "urgent": -0.9}, plain, 0.5, t)
    assert calm.route == Route.SELF_HELP and not calm.check


def test_out_of_scope_needs_the_model_to_prefer_it_or_no_confident_answer() -> None:
    t = Thresholds(out_of_scope=0.0, answer=0.8)
    plain = Triage(Route.SELF_HELP)
    prefers = {"self_help": -0.5, "legal_aid": -1.0, "urgent": -2.0, "out_of_scope": 0.4}
    assert decide_route(prefers, plain, 0.9, t).route == Route.OUT_OF_SCOPE
    # Above the threshold but a labour route scores higher: only without a confident answer.
    torn = {**prefers, "self_help": 0.6}
    assert decide_route(torn, plain, 0.5, t).route == Route.OUT_OF_SCOPE
    assert decide_route(torn, plain, 0.9, t).route != Route.OUT_OF_SCOPE
    # Below the threshold, the lexicon's out-of-scope topic decides when the model leans so.
    low = {"self_help": -0.9, "legal_aid": -1.0, "urgent": -2.0, "out_of_scope": -0.2}
    lexicon = Triage(Route.OUT_OF_SCOPE, out_of_scope_topic="邻里纠纷")
    assert decide_route(low, lexicon, 0.9, t).route == Route.OUT_OF_SCOPE
    assert decide_route(low, plain, 0.9, t).route != Route.OUT_OF_SCOPE


def test_small_talk() -> None:
    for text in ("你好", "您好！", "在吗", "hello", "谢谢", "你好啊"):
        assert is_small_talk(clean(text)), text
    for text in ("你好，老板欠我工资怎么办", "工资", "我不想活了"):
        assert not is_small_talk(clean(text)), text


def test_heldout_folds_never_split_a_situation(normalizer: Normalizer) -> None:
    """Paraphrases of one story are all held out together, so CV cannot peek."""
    examples = tuple(
        Example(f"{word}的问题第{n}种说法", route, f"s{word}", faq_id=entry.id)
        for word, entry, route in zip(
            "甲乙丙丁戊己庚辛", ENTRIES[:8], ["self_help", "legal_aid"] * 4, strict=True
        )
        for n in range(3)
    )
    from knowledge.corpus import Corpus

    corpus = Corpus(examples, "x", "x")
    featurizer = Featurizer(normalizer)
    x = featurizer.fit_transform([e.text for e in examples])
    heldout = heldout_predictions(
        corpus, ENTRIES[:8], featurizer, Matcher(ENTRIES[:8], normalizer), seed=0, folds=4, x=x
    )
    assert heldout.covered.all()
    # Every example was predicted by a ranker that never saw its situation: its own entry
    # cannot be among the ranker's classes, so the ranker never proposes it (only the
    # matcher can, after the ranker's own candidates, with a margin imputed from its score).
    from knowledge.learned import CANDIDATES

    for i, cands in heldout.candidates.items():
        ids = [c[0] for c in cands]
        if examples[i].faq_id in ids:
            position = ids.index(examples[i].faq_id)
            assert position >= min(CANDIDATES, 5)
            own = cands[position]
            top = max(c[1] for c in cands[:position])
            assert own[1] == pytest.approx(top * own[2])


# The trained bundle, on messages written for these tests (not from any eval set).


@pytest.mark.parametrize(
    "message",
    [
        "仓库里有人被叉车压住了腿，现在还在流血，老板不让叫车",
        "搅拌站的罐子里有个工友下去清理到现在没上来喊他也不答应",
        "工头带了三个人在宿舍门口堵着说今天不走就让我躺着出去",
        "钱要不回来，家里也没脸回，我想明天从厂房楼顶下去算了",
        "厂里把我们手机都收了，大门锁着，说干满三个月才放人",
        "仲裁裁决书是上个月十号收到的，今天已经二十三号了还能去法院吗",
    ],
)
def test_bundle_calls_emergencies_urgent(bundle, normalizer: Normalizer, message: str) -> None:
    analysis = analyse(message, Matcher(ENTRIES, normalizer), TriageRules.load(), bundle)
    assert analysis.decision.route == Route.URGENT or analysis.decision.check, message


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("我在超市当理货员三年了，合同到期公司不续了，能拿补偿吗", "contract-expiry-compensation"),
        ("上个月加了四个周六的班，公司说给调休不给钱，周末加班费咋算", "overtime-pay-rates"),
        (
            "laoban yizhi bu gen wo qian hetong, neng yao shuangbei gongzi ma",
            "no-written-contract-double-wage",
        ),
    ],
)
def test_bundle_ranks_plain_questions(bundle, normalizer, message: str, entry: str) -> None:
    analysis = analyse(message, Matcher(ENTRIES, normalizer), TriageRules.load(), bundle)
    assert analysis.decision.route in (Route.SELF_HELP, Route.LEGAL_AID)
    assert entry in [s.entry.id for s in analysis.match.ranked[:3]]


def test_bundle_sends_family_law_elsewhere(bundle, normalizer: Normalizer) -> None:
    message = "我和前夫离婚三年了，他一直不给孩子抚养费，我能去法院告他吗"
    analysis = analyse(message, Matcher(ENTRIES, normalizer), TriageRules.load(), bundle)
    assert analysis.decision.route == Route.OUT_OF_SCOPE


def test_numbers_and_names_are_not_words() -> None:
    assert not has_words(clean("13812345678")) and not has_words(clean("18000 元"))
    assert has_words(clean("头很晕")) and has_words(clean("my boss hit me"))
