"""`python main.py eval FILE`: the dev-set figures, defined as in shared/eval/score.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.services import Services


@dataclass
class Report:
    rows: int = 0
    cited_rows: int = 0
    hit1: int = 0
    hit3: int = 0
    route_ok: int = 0
    urgent: int = 0
    urgent_ok: int = 0
    oos_said: int = 0
    oos_ok: int = 0
    misses: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "rows": self.rows,
            "hit@1": ratio(self.hit1, self.cited_rows),
            "hit@3": ratio(self.hit3, self.cited_rows),
            "route_acc": ratio(self.route_ok, self.rows),
            "urgent_recall": ratio(self.urgent_ok, self.urgent),
            "oos_precision": ratio(self.oos_ok, self.oos_said),
        }


def _key(law: str, article: object) -> tuple[str, str]:
    return str(law).strip(), str(article).strip()


def evaluate(services: Services, rows: Iterable[dict[str, Any]]) -> Report:
    """A hit@1 is any citation of the top answer in `citations_any`; hit@3 adds the
    citations of the first two alternatives."""
    report = Report()
    kb = services.kb
    for row in rows:
        result = services.assistant.ask(row["question"])
        report.rows += 1
        want = {_key(law, art) for law, art in row.get("citations_any") or []}
        top = {_key(c.law, c.article) for c in result.citations}
        if want:
            report.cited_rows += 1
            pool = set(top)
            for alt in result.alternatives[:2]:
                entry = kb.get(alt.faq_id)
                if entry is not None:
                    pool |= {_key(c.law, c.article) for c in entry.citations}
            hit1, hit3 = bool(want & top), bool(want & pool)
            report.hit1 += hit1
            report.hit3 += hit3
            if not hit1:
                report.misses.append(
                    f"MISS  {row.get('id')} [{row.get('topic')}] {row['question'][:50]} "
                    f"-> {result.faq_id} ({result.score:.2f}){' (in top 3)' if hit3 else ''}"
                )
        expected = row.get("route")
        report.route_ok += result.route == expected
        if expected != result.route:
            report.misses.append(
                f"ROUTE {row.get('id')} want={expected} got={result.route} {row['question'][:50]}"
            )
        if expected == "urgent":
            report.urgent += 1
            report.urgent_ok += result.route == "urgent"
        if result.route == "out_of_scope":
            report.oos_said += 1
            report.oos_ok += expected == "out_of_scope"
    return report


def print_report(report: Report, out: TextIO, *, misses: bool = True) -> None:
    if misses:
        for line in report.misses:
            out.write(line + "\n")
    figures = report.figures()
    out.write("\n" + "  ".join(f"{k}={v}" for k, v in figures.items()) + "\n")
