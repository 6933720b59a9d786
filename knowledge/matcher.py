"""Question -> FAQ entry matching: BM25 retrieval, idf-overlap and fuzzy rerank, 0..1 score.

Each phrasing of an entry (title, question, every alternate) is one BM25 document, so a short
colloquial question meets the alternate closest to it rather than a long averaged text. BM25
(bm25s) picks candidate phrasings; each candidate is then scored by features that do not
depend on query length:

- doc coverage: the share of the phrasing's idf mass that the question contains;
- query coverage: the share of the question's idf mass the phrasing explains;
- fuzzy: rapidfuzz similarity of the normalised strings (catches typos and near-misses).

An entry's score is its best phrasing's combined feature score, squashed through a logistic
curve (`Calibration`) whose coefficients are fitted by `python main.py kb calibrate` on
held-out alternates, so that the score reads as "probability this entry is right".
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz

from knowledge.entries import Entry
from knowledge.normalize import Normalizer

logger = logging.getLogger(__name__)
# bm25s sets its logger to DEBUG on import and logs every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

CALIBRATION_PATH = Path(__file__).resolve().parent / "calibration.json"
CANDIDATE_DOCS = 240


@dataclass(frozen=True)
class Calibration:
    """Logistic map from raw features to a 0..1 confidence."""

    w_doc: float = 2.0
    w_query: float = 2.0
    w_fuzzy: float = 1.0
    w_entry: float = 2.0
    w_margin: float = 3.0
    bias: float = -3.5

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})

    def save(self, path: Path = CALIBRATION_PATH) -> None:
        path.write_text(json.dumps(self.__dict__, indent=2) + "\n", encoding="utf-8")

    def __call__(self, features: Features, margin: float) -> float:
        z = (
            self.w_doc * features.doc_cov
            + self.w_query * features.query_cov
            + self.w_fuzzy * features.fuzzy
            + self.w_entry * features.entry_cov
            + self.w_margin * margin
            + self.bias
        )
        return 1.0 / (1.0 + math.exp(-z))


DOMAIN_BOOST = 1.5
UNKNOWN_WORD_WEIGHT = 0.25
WEIGHTS = {"doc": 0.3, "query": 0.2, "fuzzy": 0.2, "entry": 0.5}


@dataclass(frozen=True)
class Features:
    doc_cov: float
    query_cov: float
    fuzzy: float
    entry_cov: float = 0.0

    @property
    def raw(self) -> float:
        """Uncalibrated ranking score."""
        return (
            WEIGHTS["doc"] * self.doc_cov
            + WEIGHTS["query"] * self.query_cov
            + WEIGHTS["fuzzy"] * self.fuzzy
            + WEIGHTS["entry"] * self.entry_cov
        )


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    features: Features | None = None  # None when only the learned ranker proposed it


@dataclass(frozen=True)
class MatchResult:
    normalized: str
    ranked: tuple[Scored, ...]

    @property
    def best(self) -> Scored | None:
        return self.ranked[0] if self.ranked else None

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0


class Matcher:
    """An immutable index over a list of entries; rebuild it after the entries change."""

    def __init__(
        self,
        entries: Sequence[Entry],
        normalizer: Normalizer,
        calibration: Calibration | None = None,
    ) -> None:
        self.entries = list(entries)
        self.normalizer = normalizer
        self.calibration = calibration or Calibration.load()
        self._by_id = {e.id: e for e in self.entries}
        doc_entry: list[int] = []
        doc_text: list[str] = []
        doc_tokens: list[list[str]] = []
        for index, entry in enumerate(self.entries):
            for phrasing in entry.phrasings():
                normalized = normalizer.normalize(phrasing)
                tokens = normalizer.tokens(normalized)
                if not tokens:
                    continue
                doc_entry.append(index)
                doc_text.append(normalized)
                doc_tokens.append(tokens)
        self._doc_entry = np.asarray(doc_entry, dtype=np.int64)
        self._doc_text = doc_text
        self._doc_sets = [frozenset(t) for t in doc_tokens]
        df: Counter[str] = Counter()
        for tokens in self._doc_sets:
            df.update(tokens)
        n = max(len(doc_tokens), 1)
        # The same idf as bm25s' default ("lucene") method.
        # The same idf as bm25s' default ("lucene") method; labour-law terms of the lexicon
        # weigh more, so that in a long story 辞退 counts for more than 宿舍.
        domain = normalizer.domain_terms()
        self._idf = {
            t: math.log(1 + (n - c + 0.5) / (c + 0.5)) * (DOMAIN_BOOST if t in domain else 1.0)
            for t, c in df.items()
        }
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        self._doc_mass = [sum(self._idf[t] for t in s) for s in self._doc_sets]
        # Everything an entry's phrasings say, so a long story that touches several of
        # them (but no single one fully) still counts as evidence for the entry.
        entry_sets: list[set[str]] = [set() for _ in self.entries]
        for doc, tokens in enumerate(self._doc_sets):
            entry_sets[doc_entry[doc]].update(tokens)
        for index, entry in enumerate(self.entries):
            entry_sets[index].update(normalizer.tokens(normalizer.normalize(entry.answer)))
        self._entry_sets = [frozenset(s) for s in entry_sets]
        self._bm25 = bm25s.BM25()
        if doc_tokens:
            self._bm25.index(doc_tokens, show_progress=False)

    def _weight(self, token: str) -> float:
        """idf of a token; unknown words (names, places) count a little, unknown bigrams not."""
        known = self._idf.get(token)
        if known is not None:
            return known
        return 0.0 if token.startswith("~") else UNKNOWN_WORD_WEIGHT * self._idf_unknown

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def match(
        self, question: str, *, k: int = 3, candidate_docs: int = CANDIDATE_DOCS
    ) -> MatchResult:
        """Rank entries for `question`; at most `k` results, best first, scores in 0..1."""
        normalized = self.normalizer.normalize(question)
        tokens = self.normalizer.tokens(normalized)
        if not tokens or not self._doc_sets:
            return MatchResult(normalized, ())
        query_set = frozenset(tokens)
        ids = self._bm25.get_tokens_ids(list(query_set))
        if not ids:
            return MatchResult(normalized, ())
        scores = self._bm25.get_scores_from_ids(ids)
        top = min(candidate_docs, len(scores))
        candidates = np.argpartition(-scores, top - 1)[:top]
        candidates = candidates[scores[candidates] > 0]
        # Unknown words count at half the rarest weight: they may be names or places, but
        # a question made mostly of them is probably not about anything in the KB.
        weight = {t: self._weight(t) for t in query_set}
        query_mass = sum(weight.values())
        best: dict[int, Features] = {}
        entry_masses: dict[int, float] = {}
        for doc in candidates.tolist():
            shared = query_set & self._doc_sets[doc]
            mass = sum(self._idf[t] for t in shared)
            entry_index = int(self._doc_entry[doc])
            entry_mass = entry_masses.get(entry_index)
            if entry_mass is None:
                entry_shared = query_set & self._entry_sets[entry_index]
                entry_mass = entry_masses[entry_index] = sum(weight[t] for t in entry_shared)
            features = Features(
                doc_cov=mass / self._doc_mass[doc] if self._doc_mass[doc] else 0.0,
                query_cov=mass / query_mass if query_mass else 0.0,
                fuzzy=fuzz.ratio(normalized, self._doc_text[doc]) / 100.0,
                entry_cov=entry_mass / query_mass if query_mass else 0.0,
            )
            current = best.get(entry_index)
            if current is None or features.raw > current.raw:
                best[entry_index] = features
        ordered = sorted(best.items(), key=lambda item: item[1].raw, reverse=True)[: max(k, 2)]
        if not ordered:
            return MatchResult(normalized, ())
        runner_up = ordered[1][1].raw if len(ordered) > 1 else 0.0
        ranked = []
        for position, (entry_index, features) in enumerate(ordered[:k]):
            margin = features.raw - runner_up if position == 0 else 0.0
            score = self.calibration(features, margin)
            ranked.append(Scored(self.entries[entry_index], round(score, 4), features))
        return MatchResult(normalized, tuple(ranked))
