"""The training corpus in `knowledge/training/`: worker phrasings per FAQ entry and triage.

Two kinds of JSON-lines files (see `knowledge/training/README.md` for how they were made):

- `faq/*.jsonl`: `{"faq_id", "situation", "route", "style", "text"}`: worker phrasings of the
  question a FAQ entry answers, labelled with the route (self_help or legal_aid);
- `triage/*.jsonl`: `{"text", "route", "kind", "situation", "style"}`: urgent messages by kind,
  hard negatives and out-of-scope messages.

`situation` names one worker's story; its paraphrases share it, so cross-validation can keep
them on one side of a split. Labels that admins add from real traffic (the `labels` argument)
join the same lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.entries import Entry

TRAINING_DIR = Path(__file__).resolve().parent / "training"
ROUTES = ("self_help", "legal_aid", "urgent", "out_of_scope")


@dataclass(frozen=True)
class Example:
    """One labelled message. `faq_id` is set for phrasings of a FAQ entry."""

    text: str
    route: str
    group: str
    style: str = "plain"
    kind: str = ""
    faq_id: str | None = None


@dataclass(frozen=True)
class Corpus:
    examples: tuple[Example, ...]
    digest: str  # of everything trained on: files, live entries, admins' labels
    files_digest: str  # of the training files alone

    @property
    def faq(self) -> list[Example]:
        return [e for e in self.examples if e.faq_id]

    @property
    def triage(self) -> list[Example]:
        return list(self.examples)


def _read_lines(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc


def training_files(directory: Path = TRAINING_DIR) -> list[Path]:
    return sorted(directory.glob("faq/*.jsonl")) + sorted(directory.glob("triage/*.jsonl"))


def load_corpus(
    entries: Sequence[Entry],
    directory: Path = TRAINING_DIR,
    *,
    labels: Sequence[Example] = (),
) -> Corpus:
    """Every example: the files, the entries' own phrasings, and extra labelled messages.

    Phrasings of entries that are no longer live are kept for triage (their route still
    holds) but lose their `faq_id`, so the ranker never learns a retired entry.
    """
    live = {e.id for e in entries}
    digest = hashlib.sha256()
    examples: list[Example] = []
    seen: set[tuple[str, str | None]] = set()

    def add(example: Example) -> None:
        key = (example.text, example.faq_id)
        if example.text.strip() and key not in seen:
            seen.add(key)
            examples.append(example)

    for path in training_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
        for row in _read_lines(path):
            route = row.get("route")
            if route not in ROUTES:
                raise ValueError(f"{path}: route {route!r} is not one of {ROUTES}")
            faq_id = row.get("faq_id")
            add(
                Example(
                    text=str(row["text"]),
                    route=route,
                    group=str(row.get("situation") or row["text"][:24]),
                    style=str(row.get("style") or "plain"),
                    kind=str(row.get("kind") or ""),
                    faq_id=faq_id if faq_id in live else None,
                )
            )
    files_digest = digest.hexdigest()[:16]
    for entry in entries:
        digest.update(json.dumps(entry.as_dict(), ensure_ascii=False, sort_keys=True).encode())
        for number, phrasing in enumerate(entry.phrasings()):
            add(Example(phrasing, "self_help", f"{entry.id}#kb{number}", "kb", faq_id=entry.id))
    for label in labels:
        digest.update(f"{label.text}\0{label.route}\0{label.faq_id}".encode())
        add(label)
    return Corpus(tuple(examples), digest.hexdigest()[:16], files_digest)


def files_digest(directory: Path = TRAINING_DIR) -> str:
    """The digest of the training files alone (cheap: no parsing)."""
    digest = hashlib.sha256()
    for path in training_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
