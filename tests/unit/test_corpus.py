"""The training corpus: its shape, and that it was not copied from the shared dev sets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from knowledge.corpus import ROUTES, load_corpus, training_files
from knowledge.entries import load_yaml_dir
from knowledge.normalize import clean

ENTRIES = load_yaml_dir()
ROWS = [
    (path, json.loads(line))
    for path in training_files()
    for line in path.read_text("utf-8").splitlines()
    if line.strip()
]


def test_every_line_is_well_formed() -> None:
    ids = {e.id for e in ENTRIES}
    for path, row in ROWS:
        assert row["route"] in ROUTES, (path.name, row)
        assert row["text"].strip() and row["situation"], (path.name, row)
        if "faq_id" in row:
            assert row["faq_id"] in ids, (path.name, row["faq_id"])
            # Emergencies carry the entry of the labour problem behind them, too.
            assert row["route"] != "out_of_scope", (path.name, row)


def test_every_entry_has_forty_phrasings_in_many_styles() -> None:
    per_entry = Counter(row["faq_id"] for _, row in ROWS if "faq_id" in row)
    styles: dict[str, set[str]] = {}
    for _, row in ROWS:
        if "faq_id" in row:
            styles.setdefault(row["faq_id"], set()).add(row["style"])
    thin = {e.id: per_entry[e.id] for e in ENTRIES if per_entry[e.id] < 40}
    assert not thin
    assert all(len(s) >= 7 for s in styles.values())


def test_triage_corpus_size_and_balance() -> None:
    triage = [row for path, row in ROWS if path.parent.name == "triage"]
    routes = Counter(row["route"] for row in triage)
    assert len(triage) >= 3000
    assert routes["urgent"] >= 800
    hard = [row for path, row in ROWS if path.name == "hard_negatives.jsonl"]
    assert len(hard) >= 800 and all(row["route"] != "urgent" for row in hard)
    kinds = Counter(row["kind"] for row in triage if row["route"] == "urgent")
    assert len(kinds) >= 10 and min(kinds.values()) >= 50


def test_loader_groups_and_hashes_reproducibly() -> None:
    first, second = load_corpus(ENTRIES), load_corpus(ENTRIES)
    assert first.digest == second.digest and first.files_digest == second.files_digest
    texts = [e.text for e in first.examples]
    assert len(first.examples) > 10000
    assert len({(e.text, e.faq_id) for e in first.examples}) == len(texts)


def _grams(text: str, n: int = 5) -> set[str]:
    text = clean(text)
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def test_no_line_is_close_to_a_dev_question(laws_dir: Path) -> None:
    eval_dir = laws_dir.parent / "eval"
    dev_files = [eval_dir / "faq_dev.jsonl", eval_dir / "faq_dev2.jsonl"]
    if not all(f.is_file() for f in dev_files):
        pytest.skip(f"no dev sets beside LAWS_DIR ({eval_dir})")
    dev = [
        _grams(json.loads(line)["question"])
        for f in dev_files
        for line in f.read_text("utf-8").splitlines()
        if line.strip()
    ]
    index: dict[str, list[int]] = {}
    for i, grams in enumerate(dev):
        for g in grams:
            index.setdefault(g, []).append(i)
    close = []
    for path, row in ROWS:
        grams = _grams(row["text"])
        shared = Counter(i for g in grams for i in index.get(g, ()))
        for i, count in shared.items():
            if count / max(len(grams), len(dev[i])) > 0.35:
                close.append((path.name, row["text"][:30]))
    assert not close, close[:5]
