"""The learned models' life cycle: train (`kb train`), save, load at start-up, retrain if stale."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from knowledge.corpus import ROUTES, Example, files_digest, load_corpus
from knowledge.entries import Entry
from knowledge.learned import Models
from knowledge.normalize import Normalizer
from knowledge.train import train_models

logger = logging.getLogger(__name__)

# One bundle per (path, training-files digest) per process: tests and a second Services
# share it instead of reading 30 MB again.
_cache: dict[tuple[Path, str], Models] = {}
_cache_lock = threading.Lock()


async def stored_labels(sessions) -> list[Example]:
    """What admins and staff labelled in real traffic, as training examples (no ids)."""
    from storage import repositories as repo

    async with sessions.begin() as session:
        rows = await repo.all_labels(session)
    return [
        Example(r.text, r.route, f"label-{r.id}", "label", faq_id=r.faq_id)
        for r in rows
        if r.route in ROUTES and r.text.strip()
    ]


def train_and_save(
    entries: Sequence[Entry],
    normalizer: Normalizer,
    path: Path,
    *,
    labels: Sequence[Example] = (),
    seed: int = 0,
    progress: TextIO | None = None,
) -> Models:
    corpus = load_corpus(entries, labels=labels)
    started = time.perf_counter()
    models = train_models(corpus, entries, normalizer, seed=seed, progress=progress)
    models.save(path)
    logger.info(
        "models trained on %d examples (data %s) in %.1f s",
        len(corpus.examples),
        corpus.digest,
        time.perf_counter() - started,
    )
    with _cache_lock:
        _cache[(path, corpus.files_digest)] = models
    return models


def load_or_train(entries: Sequence[Entry], normalizer: Normalizer, path: Path) -> Models:
    """The bundle at `path` if it was trained on the current training files; else train now.

    A bundle trained before an admin edited the knowledge base is still used (the ranker
    ignores retired entries and the BM25 index knows the new phrasings); `kb train` refreshes
    it, and start-up says so.
    """
    current = files_digest()
    with _cache_lock:
        cached = _cache.get((path, current))
    if cached is not None:
        return cached
    models = Models.load(path, normalizer)
    if models is None or models.files_digest != current:
        logger.warning(
            "model bundle %s is %s: training it now (`python main.py kb train` does this ahead)",
            path,
            "missing" if models is None else "trained on other files",
        )
        return train_and_save(entries, normalizer, path, progress=sys.stderr)
    if models.digest != load_corpus(entries).digest:
        logger.warning("the knowledge base changed since `kb train`: retrain to teach the ranker")
    with _cache_lock:
        _cache[(path, current)] = models
    return models
