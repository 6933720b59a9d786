"""Learned models: a FAQ ranker and a triage classifier over character and pinyin n-grams.

All are scikit-learn linear SVMs (one-vs-rest) on the same sparse features (`Featurizer`):
TF-IDF of character 1–3-grams of the normalised text and of letter 2–4-grams of its pinyin.
They are trained by `python main.py kb train` (`knowledge/train.py`) and saved as one joblib
bundle (`Models`) stamped with the hash of the data they were trained on.

- the ranker scores FAQ entry ids. Its margins are combined with the BM25/fuzzy matcher by
  `Combiner`, a logistic regression fitted on held-out folds, whose output is the confidence
  the answer gate reads;
- the route model scores the four routes, the kind model the kinds of urgent message.
  `Thresholds` hold the cut-offs chosen on held-out data (urgent for recall, the one-tap
  danger check below it, out-of-scope and answer thresholds for precision).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from knowledge.corpus import ROUTES
from knowledge.normalize import Normalizer
from knowledge.textfeatures import model_views

logger = logging.getLogger(__name__)

MODEL_FORMAT = 3
PINYIN_WEIGHT = 0.7  # the pinyin view helps with homophones but is noisier than characters


class Featurizer:
    """Message text to one sparse row: character n-grams plus pinyin letter n-grams."""

    def __init__(self, normalizer: Normalizer, *, min_df: int = 2) -> None:
        self.normalizer = normalizer
        self.chars = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            min_df=min_df,
            sublinear_tf=True,
            max_df=0.5,
            dtype=np.float32,
        )
        self.pinyin = TfidfVectorizer(
            analyzer="char",
            ngram_range=(2, 4),
            min_df=min_df,
            sublinear_tf=True,
            max_df=0.5,
            dtype=np.float32,
        )

    def views(self, texts: Sequence[str]) -> tuple[list[str], list[str]]:
        pairs = [model_views(self.normalizer, t) for t in texts]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        chars, pinyin = self.views(texts)
        return _stack(self.chars.fit_transform(chars), self.pinyin.fit_transform(pinyin))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        chars, pinyin = self.views(texts)
        return _stack(self.chars.transform(chars), self.pinyin.transform(pinyin))

    def transform_one(self, text: str) -> sp.csr_matrix:
        """The same row as `transform([text])`, without scikit-learn's per-call overhead
        (about 1.5 ms): n-grams looked up in the fitted vocabularies directly."""
        chars, pinyin = model_views(self.normalizer, text)
        cols: list[int] = []
        vals: list[float] = []
        offset = 0
        for vectorizer, view, weight in (
            (self.chars, chars, 1.0),
            (self.pinyin, pinyin, PINYIN_WEIGHT),
        ):
            vocabulary = vectorizer.vocabulary_
            low, high = vectorizer.ngram_range
            counts: dict[int, int] = {}
            for n in range(low, high + 1):
                for i in range(len(view) - n + 1):
                    j = vocabulary.get(view[i : i + n])
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
            if counts:
                idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                w = (1.0 + np.log(tf)) * vectorizer.idf_[idx]
                w *= weight / np.sqrt((w * w).sum())
                cols.extend((idx + offset).tolist())
                vals.extend(w.tolist())
            offset += len(vectorizer.idf_)
        order = np.argsort(cols)
        return sp.csr_matrix(
            (np.asarray(vals, dtype=np.float32)[order], np.asarray(cols)[order], [0, len(cols)]),
            shape=(1, offset),
        )

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("normalizer", None)  # rebuilt by the loader: jieba state does not pickle
        return state


def _stack(chars: sp.csr_matrix, pinyin: sp.csr_matrix) -> sp.csr_matrix:
    return sp.hstack([chars, PINYIN_WEIGHT * pinyin], format="csr")


class LinearModel:
    """A fitted one-vs-rest linear SVM, kept as a float32 matrix for fast scoring.

    Scores are margins, not probabilities: every threshold on them is chosen on held-out
    data, and the `Combiner` turns the ranker's margins into a calibrated confidence.
    """

    def __init__(self, classes: Sequence[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes = list(classes)
        self.index = {c: i for i, c in enumerate(self.classes)}
        self.coef_t = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.intercept = intercept.astype(np.float32)

    @classmethod
    def fit(
        cls, x: sp.csr_matrix, y: Sequence[str], *, c: float, seed: int, weights=None
    ) -> LinearModel:
        model = LinearSVC(C=c, tol=1e-2, random_state=seed, max_iter=2000)
        model.fit(x, list(y), sample_weight=weights)
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:  # sklearn keeps one row for two classes
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        return cls([str(c) for c in model.classes_], coef, intercept)

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        """(rows, classes) margins."""
        return np.asarray(x @ self.coef_t) + self.intercept


@dataclass(frozen=True)
class Combiner:
    """P(right) for a candidate entry: a logistic regression over the ranker's margin, its gap
    to the best other candidate, the BM25/fuzzy matcher's score and whether both agree."""

    w_margin: float = 2.0
    w_gap: float = 2.0
    w_matcher: float = 1.0
    w_agree: float = 0.5
    bias: float = 0.0

    def __call__(self, row: Sequence[float]) -> float:
        """`row` is [margin, gap, logit(matcher score), agree] (`train.combiner_features`)."""
        margin, gap, matcher_logit, agree = row
        z = (
            self.w_margin * margin
            + self.w_gap * gap
            + self.w_matcher * matcher_logit
            + self.w_agree * agree
            + self.bias
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Thresholds:
    urgent: float = 0.0  # urgent margin at or above: urgent
    check: float = -0.5  # urgent margin at or above (below `urgent`): 现在有没有人身危险？
    out_of_scope: float = 0.3  # out-of-scope margin at or above, and no confident match
    answer: float = 0.55  # combined confidence at or above: answer
    suggest: float = 0.3  # combined confidence at or above: offer the likely entries


@dataclass
class Models:
    """Everything `kb train` produces; loaded once at start-up."""

    featurizer: Featurizer
    ranker: LinearModel
    routes: LinearModel
    kinds: LinearModel | None
    combiner: Combiner
    thresholds: Thresholds
    digest: str
    files_digest: str
    report: dict = field(default_factory=dict)
    format: int = MODEL_FORMAT

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        joblib.dump(self, tmp, compress=3)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, normalizer: Normalizer) -> Models | None:
        """The bundle at `path`, or None if it is missing or of another format."""
        if not path.is_file():
            return None
        try:
            models = joblib.load(path)
        except Exception as exc:  # a truncated or foreign file: retrain rather than crash
            logger.warning("model bundle %s unreadable (%s): retraining", path, type(exc).__name__)
            return None
        if not isinstance(models, cls) or getattr(models, "format", None) != MODEL_FORMAT:
            return None
        models.featurizer.normalizer = normalizer
        return models


# Scoring one message: shared by `understand.analyse` and the held-out folds of training.

CANDIDATES = 5
# With the learned ranker proposing entries too, the BM25 stage needs fewer candidates.
MATCHER_DOCS = 30
# ... and only the head and tail of a long story (the ranker reads the whole of it).
MATCHER_CHARS = 120


def route_scores(model: LinearModel, x) -> np.ndarray:
    """(rows, 4) margins in ROUTES order; a route the model never saw scores very low."""
    scores = model.scores(x)
    out = np.full((scores.shape[0], len(ROUTES)), -10.0)
    for j, route in enumerate(ROUTES):
        if route in model.index:
            out[:, j] = scores[:, model.index[route]]
    return out


def candidates(
    margins: np.ndarray, classes: Sequence[str], matched: dict[str, float], live: set[str]
) -> list[tuple[str, float, float]]:
    """The ranker's best live entries and the matcher's, each with both scores."""
    order = np.argsort(-margins)
    ranked: dict[str, float] = {}
    for i in order:
        if classes[i] in live:
            ranked[classes[i]] = float(margins[i])
            if len(ranked) == CANDIDATES:
                break
    index = {c: i for i, c in enumerate(classes)}
    top = max(ranked.values(), default=0.0)

    def margin(eid: str) -> float:
        if eid in ranked:
            return ranked[eid]
        if eid in index:
            return float(margins[index[eid]])
        # An entry added since the last `kb train`: the ranker has never seen it, so the
        # matcher's score stands in (a perfect match counts as much as the ranker's best).
        return top * matched.get(eid, 0.0)

    ids = list(ranked) + [e for e in matched if e not in ranked]
    return [(eid, margin(eid), matched.get(eid, 0.0)) for eid in ids]


def combine(
    cands: Sequence[tuple[str, float, float]], combiner: Combiner
) -> list[tuple[str, float]]:
    """Candidates with their combined confidence, best first."""
    scored = [
        (c[0], combiner(row)) for c, row in zip(cands, combiner_features(cands), strict=True)
    ]
    return sorted(scored, key=lambda s: -s[1])


def combiner_features(cands: Sequence[tuple[str, float, float]]) -> list[list[float]]:
    """[ranker margin, its gap to the best other, matcher score logit, both agree] each."""
    if not cands:
        return []
    by_margin = sorted(cands, key=lambda c: -c[1])
    top_rank = by_margin[0][0]
    top_match = max(cands, key=lambda c: c[2])[0]
    rows = []
    for eid, margin, score in cands:
        other = by_margin[1][1] if eid == top_rank and len(by_margin) > 1 else by_margin[0][1]
        gap = margin - other if eid == top_rank else margin - by_margin[0][1]
        rows.append([margin, gap, clip_logit(score), float(eid == top_rank == top_match)])
    return rows


def clip_logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))
