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


def split_for_calibration(
    entries: Sequence[Entry],
) -> tuple[list[Entry], list[tuple[str, Entry | None]]]:
    """(index entries, [(question, the entry it came from, or None if that entry is absent)])."""
    kept: list[Entry] = []
    queries: list[tuple[str, Entry | None]] = []
    absent: list[Entry] = []
    for entry in entries:
        if _bucket(entry.id, 7) == 0:
            absent.append(entry)
            continue
        held = [a for a in entry.alternates if _bucket(a, 4) == 0]
        kept.append(replace(entry, alternates=tuple(a for a in entry.alternates if a not in held)))
        queries.extend((alt, entry) for alt in held)
    # Questions whose entry is absent: a match is right only if it rests on the same law.
    for entry in absent:
        queries.extend((alt, None) for alt in entry.alternates[:3])
    return kept, queries


def is_right(found: Entry, wanted: Entry | None) -> bool:
    """The metric's notion of a hit: the answer cites an article the wanted entry cites."""
    return wanted is not None and bool(set(found.citations) & set(wanted.citations))


def _logistic_fit(
    x: np.ndarray, y: np.ndarray, *, iterations: int = 50, l2: float = 1e-2
) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method (IRLS) with a small ridge penalty."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    ridge = l2 * np.eye(design.shape[1])
    ridge[-1, -1] = 0.0  # do not shrink the bias
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (p - y) + ridge @ theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + ridge
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def fit_calibration(
    entries: Sequence[Entry],
    normalizer: Normalizer,
    *,
    progress: TextIO | None = None,
    steps: int = 50,
) -> tuple[Calibration, dict[str, Any]]:
    kept, queries = split_for_calibration(entries)
    matcher = Matcher(kept, normalizer, calibration=Calibration())
    rows, labels = [], []
    for number, (question, wanted) in enumerate(queries, 1):
        result = matcher.match(question, k=3)
        if progress is not None and number % 100 == 0:
            progress.write(f"\rcalibrating: {number}/{len(queries)} questions")
            progress.flush()
        if not result.ranked:
            rows.append([0.0, 0.0, 0.0, 0.0, 0.0])
            labels.append(0.0)
            continue
        top = result.ranked[0].features
        runner = result.ranked[1].features.raw if len(result.ranked) > 1 else 0.0
        rows.append([top.doc_cov, top.query_cov, top.fuzzy, top.entry_cov, top.raw - runner])
        labels.append(1.0 if is_right(result.ranked[0].entry, wanted) else 0.0)
    if progress is not None:
        progress.write("\n")
    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    w, b = _logistic_fit(x, y, iterations=steps)
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    eps = 1e-9
    if progress is not None:
        for label in (1.0, 0.0):
            chosen = x[y == label]
            if len(chosen):
                progress.write(
                    f"features when {'right' if label else 'wrong'}: "
                    f"{np.round(chosen.mean(axis=0), 3).tolist()}\n"
                )
    report = {
        "questions": len(y),
        "top1_right": round(float(y.mean()), 3),
        "log_loss": round(float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))), 4),
        "brier": round(float(np.mean((p - y) ** 2)), 4),
        "mean_score_right": round(float(p[y == 1].mean()), 3) if y.any() else None,
        "mean_score_wrong": round(float(p[y == 0].mean()), 3) if (1 - y).any() else None,
    }
    for threshold in (0.3, 0.5, 0.6, 0.7):
        chosen = p >= threshold
        report[f"precision@{threshold}"] = (
            round(float(y[chosen].mean()), 3) if chosen.any() else None
        )
        report[f"answered@{threshold}"] = round(float(chosen.mean()), 3)
    calibration = Calibration(
        w_doc=float(w[0]),
        w_query=float(w[1]),
        w_fuzzy=float(w[2]),
        w_entry=float(w[3]),
        w_margin=float(w[4]),
        bias=float(b),
    )
    return calibration, report
