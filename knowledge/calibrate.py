"""Fit the matcher's score calibration on the knowledge base itself (no eval data).

Held-out questions are the entries' own alternates: a quarter of every entry's alternates
is removed from the index and asked as questions (the right answer exists), and every
seventh entry is removed entirely (the right answer does not exist, so any match is wrong).
A logistic regression on the top match's features then maps them to the probability that
the top entry is on the right topic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TextIO

import numpy as np

from knowledge.entries import Entry
from knowledge.matcher import Calibration, Matcher
from knowledge.normalize import Normalizer


def _bucket(text: str, modulo: int) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % modulo


def split_for_calibration(entries: Sequence[Entry]) -> tuple[list[Entry], list[tuple[str, str | None]]]:
    """(index entries, [(question, expected topic or None)])."""
    kept: list[Entry] = []
    queries: list[tuple[str, str | None]] = []
    for entry in entries:
        if _bucket(entry.id, 7) == 0:
            queries.extend((alt, None) for alt in entry.alternates)
            continue
        held = [a for a in entry.alternates if _bucket(a, 4) == 0]
        kept.append(replace(entry, alternates=tuple(a for a in entry.alternates if a not in held)))
        queries.extend((alt, entry.topic) for alt in held)
    # An entry whose topic has other entries in the index is not really unknown.
    indexed_topics = {e.topic for e in kept}
    queries = [(q, t) if t is not None else (q, "__absent__") for q, t in queries]
    queries = [(q, None if t == "__absent__" else t) for q, t in queries]
    return kept, [(q, t) for q, t in queries if t is None or t in indexed_topics]


def fit_calibration(entries: Sequence[Entry], normalizer: Normalizer, *,
                    progress: TextIO | None = None,
                    steps: int = 3000) -> tuple[Calibration, dict[str, Any]]:
    kept, queries = split_for_calibration(entries)
    matcher = Matcher(kept, normalizer, calibration=Calibration())
    rows, labels = [], []
    for number, (question, topic) in enumerate(queries, 1):
        result = matcher.match(question, k=3)
        if progress is not None and number % 100 == 0:
            progress.write(f"\rcalibrating: {number}/{len(queries)} questions")
            progress.flush()
        if not result.ranked:
            rows.append([0.0, 0.0, 0.0, 0.0])
            labels.append(0.0)
            continue
        top = result.ranked[0].features
        runner = result.ranked[1].features.raw if len(result.ranked) > 1 else 0.0
        rows.append([top.doc_cov, top.query_cov, top.fuzzy, top.raw - runner])
        labels.append(1.0 if topic is not None and result.ranked[0].entry.topic == topic else 0.0)
    if progress is not None:
        progress.write("\n")
    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    w = np.zeros(x.shape[1])
    b = 0.0
    rate, l2 = 0.5, 1e-3
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        grad = p - y
        w -= rate * (x.T @ grad / len(y) + l2 * w)
        b -= rate * grad.mean()
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    eps = 1e-9
    report = {
        "questions": len(y),
        "top1_on_topic": round(float(y.mean()), 3),
        "log_loss": round(float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))), 4),
        "brier": round(float(np.mean((p - y) ** 2)), 4),
        "mean_score_right": round(float(p[y == 1].mean()), 3) if y.any() else None,
        "mean_score_wrong": round(float(p[y == 0].mean()), 3) if (1 - y).any() else None,
    }
    for threshold in (0.3, 0.5, 0.6, 0.7):
        chosen = p >= threshold
        report[f"precision@{threshold}"] = (round(float(y[chosen].mean()), 3)
                                            if chosen.any() else None)
        report[f"answered@{threshold}"] = round(float(chosen.mean()), 3)
    calibration = Calibration(w_doc=float(w[0]), w_query=float(w[1]), w_fuzzy=float(w[2]),
                              w_margin=float(w[3]), bias=float(b))
    return calibration, report
