"""Checks that every citation names a real law and a real article in LAWS_DIR."""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.entries import Entry
from knowledge.laws import LawLibrary


def check_citations(entries: Iterable[Entry], laws: LawLibrary) -> list[str]:
    """One line per problem: unknown law, unknown article, or LAWS_DIR missing."""
    if not laws.available:
        return [f"LAWS_DIR {laws.directory} holds no statute files"]
    names = set(laws.law_names())
    problems = []
    for entry in entries:
        if not entry.citations:
            problems.append(f"{entry.id}: no citation")
        for citation in entry.citations:
            if citation.law not in names:
                problems.append(f"{entry.id}: unknown law {citation.law}")
            elif not laws.exists(citation.law, citation.article):
                problems.append(f"{entry.id}: {citation.law} has no article {citation.article}")
    return problems
