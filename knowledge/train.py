"""Training and honest evaluation of the learned models (`kb train`, `make eval`).

`train_models` fits the featurizer, the FAQ ranker, the route and kind classifiers on the whole
corpus, and chooses every threshold on held-out predictions: grouped k-fold by situation, so the
paraphrases of one worker's story never sit on both sides of a split. `cross_validate` reports
the same figures the eval sets report (hit@1, hit@3, route accuracy, urgent recall,
out-of-scope precision, answer rate and answered precision), by style.

Everything is seeded; `kb train` takes well under a minute on two cores.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from knowledge.corpus import ROUTES, Corpus, Example
from knowledge.entries import Entry
from knowledge.learned import (
    CANDIDATES,
    MATCHER_CHARS,
    MATCHER_DOCS,
    Combiner,
    Featurizer,
    LinearModel,
    Models,
    Thresholds,
    candidates,
    combine,
    combiner_features,
    route_scores,
)
from knowledge.matcher import Matcher
from knowledge.normalize import Normalizer
from knowledge.textfeatures import clip
from knowledge.triage import TriageRules

RANKER_C = 0.5
ROUTE_C = 0.5
KIND_C = 0.5
FOLDS = 4
# Targets the thresholds are chosen for, on held-out folds.
URGENT_RECALL = 0.97
CHECK_RECALL = 0.995
OOS_PRECISION = 0.97
ANSWER_PRECISION = 0.96
SUGGEST_HIT3 = 0.75


@dataclass
class Heldout:
    """Out-of-fold predictions for the examples of the folds that were run."""

    covered: np.ndarray  # (n,) bool: the example was held out in a fold that ran
    route_scores: np.ndarray  # (n, 4) margins in ROUTES order
    # Per FAQ example: [(entry id, ranker margin, matcher score)] for the candidates.
    candidates: dict[int, list[tuple[str, float, float]]]


def _progress(out: TextIO | None) -> Callable[[str], None]:
    started = time.perf_counter()

    def say(message: str) -> None:
        if out is not None:
            print(f"[{time.perf_counter() - started:5.1f}s] {message}", file=out, flush=True)

    return say


def _route_weights(routes: Sequence[str]) -> np.ndarray:
    counts = Counter(routes)
    return np.array([len(routes) / (len(counts) * counts[r]) for r in routes], dtype=np.float64)


def fit_routes(x, routes: Sequence[str], seed: int) -> LinearModel:
    return LinearModel.fit(x, routes, c=ROUTE_C, seed=seed, weights=_route_weights(routes))


def heldout_predictions(
    corpus: Corpus,
    entries: Sequence[Entry],
    featurizer: Featurizer,
    matcher: Matcher,
    *,
    seed: int,
    folds: int = FOLDS,
    run_folds: int | None = None,
    refit_features: bool = False,
    x=None,
    say: Callable[[str], None] = lambda _: None,
) -> Heldout:
    """Out-of-fold route scores and FAQ candidates (grouped by situation).

    `run_folds` runs only the first folds (one is a plain held-out split: `kb train`);
    `refit_features` refits the featurizer inside each fold (the honest CV of `make eval`).
    """
    examples = corpus.examples
    texts = [e.text for e in examples]
    groups = [e.group for e in examples]
    live = {e.id for e in entries}
    covered = np.zeros(len(examples), dtype=bool)
    scores = np.zeros((len(examples), len(ROUTES)))
    cands: dict[int, list[tuple[str, float, float]]] = {}
    x_all = None if refit_features else (x if x is not None else featurizer.transform(texts))
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(splitter.split(texts, groups=groups), 1):
        if run_folds is not None and fold > run_folds:
            break
        if refit_features:
            fz = Featurizer(featurizer.normalizer)
            x_train = fz.fit_transform([texts[i] for i in train])
            x_test = fz.transform([texts[i] for i in test])
        else:
            x_train, x_test = x_all[train], x_all[test]
        covered[test] = True
        scores[test] = route_scores(
            fit_routes(x_train, [examples[i].route for i in train], seed), x_test
        )
        faq_train = [k for k, i in enumerate(train) if examples[i].faq_id]
        ranker = LinearModel.fit(
            x_train[faq_train],
            [examples[train[k]].faq_id for k in faq_train],
            c=RANKER_C,
            seed=seed,
        )
        faq_test = [
            k for k, i in enumerate(test) if examples[i].faq_id and examples[i].style != "kb"
        ]
        # Only the files' phrasings: an entry's own alternates are in the BM25 index.
        margins = ranker.scores(x_test[faq_test]) if faq_test else np.zeros((0, 0))
        for row, k in enumerate(faq_test):
            i = test[k]
            found = matcher.match(
                clip(texts[i], MATCHER_CHARS), k=CANDIDATES, candidate_docs=MATCHER_DOCS
            )
            matched = {s.entry.id: s.score for s in found.ranked}
            cands[i] = candidates(margins[row], ranker.classes, matched, live)
        say(f"fold {fold}/{run_folds or folds} done")
    return Heldout(covered, scores, cands)


def _right(found: str, wanted: str, citations: dict[str, set]) -> bool:
    """The metric's notion of a hit: the answer rests on an article the wanted entry cites."""
    return found == wanted or bool(citations.get(found, set()) & citations.get(wanted, set()))


def fit_combiner(
    heldout: Heldout, examples: Sequence[Example], citations: dict[str, set], seed: int
) -> Combiner:
    rows, labels = [], []
    for i, cands in heldout.candidates.items():
        rows.extend(combiner_features(cands))
        labels.extend(_right(eid, examples[i].faq_id, citations) for eid, _, _ in cands)
    model = LogisticRegression(C=1.0, random_state=seed, max_iter=500)
    model.fit(np.array(rows), np.array(labels))
    w = model.coef_[0]
    return Combiner(float(w[0]), float(w[1]), float(w[2]), float(w[3]), float(model.intercept_[0]))


def rank_heldout(heldout: Heldout, combiner: Combiner) -> dict[int, list[tuple[str, float]]]:
    return {i: combine(c, combiner) for i, c in heldout.candidates.items()}


def _threshold_for_recall(scores: np.ndarray, target: float) -> float:
    """The highest cut-off that keeps at least `target` of the positives at or above it."""
    if len(scores) == 0:
        return 0.5
    ordered = np.sort(scores)
    index = int(np.floor((1 - target) * len(ordered)))
    return float(ordered[min(index, len(ordered) - 1)])


def _threshold_for_precision(
    scores: np.ndarray, right: np.ndarray, target: float, floor: float
) -> float:
    """The lowest cut-off at which precision over everything at or above it is ≥ target."""
    order = np.argsort(-scores)
    s, r = scores[order], right[order].astype(float)
    precision = np.cumsum(r) / np.arange(1, len(r) + 1)
    best = None
    for k in range(len(s) - 1, -1, -1):
        # Precision must hold at this depth and every shallower one that is large enough.
        if precision[k] >= target and (k + 1 == len(s) or s[k] > s[k + 1]):
            best = s[k]
            break
    return float(max(best if best is not None else 1.0, floor))


def choose_thresholds(
    heldout: Heldout,
    ranked: dict[int, list[tuple[str, float]]],
    examples: Sequence[Example],
    citations: dict[str, set],
) -> Thresholds:
    covered = heldout.covered
    routes = np.array([e.route for e in examples])[covered]
    s_urgent = heldout.route_scores[covered, ROUTES.index("urgent")]
    urgent = _threshold_for_recall(s_urgent[routes == "urgent"], URGENT_RECALL)
    check = min(_threshold_for_recall(s_urgent[routes == "urgent"], CHECK_RECALL), urgent)
    s_oos = heldout.route_scores[covered, ROUTES.index("out_of_scope")]
    oos = _threshold_for_precision(s_oos, routes == "out_of_scope", OOS_PRECISION, 0.0)
    idx = sorted(ranked)
    top = np.array([ranked[i][0][1] if ranked[i] else 0.0 for i in idx])
    hit1 = np.array(
        [bool(ranked[i]) and _right(ranked[i][0][0], examples[i].faq_id, citations) for i in idx]
    )
    hit3 = np.array(
        [any(_right(e, examples[i].faq_id, citations) for e, _ in ranked[i][:3]) for i in idx]
    )
    answer = _threshold_for_precision(top, hit1, ANSWER_PRECISION, 0.2)
    suggest = min(_threshold_for_precision(top, hit3, SUGGEST_HIT3, 0.05), answer)
    return Thresholds(urgent=urgent, check=check, out_of_scope=oos, answer=answer, suggest=suggest)


def _citation_sets(entries: Sequence[Entry]) -> dict[str, set]:
    return {e.id: set(e.citations) for e in entries}


def train_models(
    corpus: Corpus,
    entries: Sequence[Entry],
    normalizer: Normalizer,
    *,
    seed: int = 0,
    progress: TextIO | None = None,
) -> Models:
    """Fit every model on the whole corpus; thresholds from grouped held-out folds."""
    say = _progress(progress)
    examples = corpus.examples
    texts = [e.text for e in examples]
    featurizer = Featurizer(normalizer)
    x = featurizer.fit_transform(texts)
    say(f"features: {x.shape[0]} messages x {x.shape[1]} n-grams")
    matcher = Matcher(entries, normalizer)
    citations = _citation_sets(entries)
    faq = [i for i, e in enumerate(examples) if e.faq_id]

    def fit_final() -> tuple[LinearModel, LinearModel, LinearModel | None]:
        ranker = LinearModel.fit(x[faq], [examples[i].faq_id for i in faq], c=RANKER_C, seed=seed)
        routes = fit_routes(x, [e.route for e in examples], seed)
        urgent = [i for i, e in enumerate(examples) if e.route == "urgent" and e.kind]
        kinds = (
            LinearModel.fit(x[urgent], [examples[i].kind for i in urgent], c=KIND_C, seed=seed)
            if len({examples[i].kind for i in urgent}) > 1
            else None
        )
        return ranker, routes, kinds

    # The final models fit in a second thread (liblinear releases the GIL) while the
    # held-out quarter is scored. One grouped held-out quarter (the first of four folds) is
    # enough to place thresholds and keeps `kb train` well under a minute; `make eval` runs
    # every fold.
    with ThreadPoolExecutor(max_workers=1) as pool:
        final = pool.submit(fit_final)
        heldout = heldout_predictions(
            corpus, entries, featurizer, matcher, seed=seed, folds=4, run_folds=1, x=x, say=say
        )
        combiner = fit_combiner(heldout, examples, citations, seed)
        thresholds = choose_thresholds(
            heldout, rank_heldout(heldout, combiner), examples, citations
        )
        say(f"thresholds chosen on held-out folds: {thresholds}")
        ranker, routes, kinds = final.result()
    say(f"fitted: ranker over {len(ranker.classes)} entries, routes, kinds")
    report = {
        "examples": len(examples),
        "faq_examples": len(faq),
        "routes": dict(Counter(e.route for e in examples)),
        "seed": seed,
    }
    return Models(
        featurizer,
        ranker,
        routes,
        kinds,
        combiner,
        thresholds,
        corpus.digest,
        corpus.files_digest,
        report,
    )


# Cross-validation report ----------------------------------------------------------------------


def cross_validate(
    corpus: Corpus,
    entries: Sequence[Entry],
    normalizer: Normalizer,
    rules: TriageRules,
    *,
    seed: int = 0,
    folds: int = FOLDS,
    progress: TextIO | None = None,
) -> dict[str, Any]:
    """Grouped k-fold figures on the training corpus, with the decision rules of `ask`."""
    from knowledge.decide import decide_route

    say = _progress(progress)
    examples = corpus.examples
    featurizer = Featurizer(normalizer)
    matcher = Matcher(entries, normalizer)
    citations = _citation_sets(entries)
    heldout = heldout_predictions(
        corpus,
        entries,
        featurizer,
        matcher,
        seed=seed,
        folds=folds,
        refit_features=True,
        say=say,
    )
    combiner = fit_combiner(heldout, examples, citations, seed)
    ranked = rank_heldout(heldout, combiner)
    thresholds = choose_thresholds(heldout, ranked, examples, citations)
    # Figures on files only (the entries' own alternates are in the BM25 index).
    keep = [i for i, e in enumerate(examples) if e.style != "kb"]
    by_style: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for i in keep:
        e = examples[i]
        margins = dict(zip(ROUTES, heldout.route_scores[i], strict=True))
        lexicon = rules.classify(e.text)
        top = ranked.get(i, [])
        confidence = top[0][1] if top else 0.0
        decision = decide_route(margins, lexicon, confidence, thresholds)
        for bucket in (total, by_style[e.style]):
            bucket["rows"] += 1
            bucket["route_ok"] += decision.route == e.route
            if e.route == "urgent":
                bucket["urgent"] += 1
                bucket["urgent_ok"] += decision.route == "urgent"
                bucket["urgent_or_check"] += decision.route == "urgent" or decision.check
            else:
                bucket["not_urgent"] += 1
                bucket["false_urgent"] += decision.route == "urgent"
            if decision.route == "out_of_scope":
                bucket["oos_said"] += 1
                bucket["oos_ok"] += e.route == "out_of_scope"
            if e.faq_id and i in ranked:
                bucket["faq"] += 1
                bucket["hit1"] += bool(top) and _right(top[0][0], e.faq_id, citations)
                bucket["hit3"] += any(_right(t[0], e.faq_id, citations) for t in top[:3])
                if decision.route != "out_of_scope":
                    answered = confidence >= thresholds.answer
                    bucket["answered"] += answered
                    bucket["answered_ok"] += answered and _right(top[0][0], e.faq_id, citations)
    say("cross-validation done")
    return {
        "folds": folds,
        "thresholds": thresholds.__dict__,
        "all": _figures(total),
        "by_style": {s: _figures(c) for s, c in sorted(by_style.items())},
    }


def ratio(a: int, b: int) -> float | None:
    """a / b to three places; None when there is nothing to divide by."""
    return round(a / b, 3) if b else None


def _figures(c: Counter) -> dict[str, Any]:
    return {
        "rows": c["rows"],
        "hit@1": ratio(c["hit1"], c["faq"]),
        "hit@3": ratio(c["hit3"], c["faq"]),
        "route_acc": ratio(c["route_ok"], c["rows"]),
        "urgent_recall": ratio(c["urgent_ok"], c["urgent"]),
        "urgent_or_check_recall": ratio(c["urgent_or_check"], c["urgent"]),
        "false_urgent_rate": ratio(c["false_urgent"], c["not_urgent"]),
        "oos_precision": ratio(c["oos_ok"], c["oos_said"]),
        "answer_rate": ratio(c["answered"], c["faq"]),
        "answered_precision": ratio(c["answered_ok"], c["answered"]),
    }
