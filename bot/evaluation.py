"""`python main.py eval FILE`: the eval-set figures, defined as in shared/eval/score.py.

Beyond score.py's figures it reports the answer rate (in-scope rows with citations that get
an answer rather than "不太确定") and the precision of the answers given, overall and by the
rows' `style` when they have one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.services import Services
from knowledge.train import ratio as _ratio


def figures(c: Counter) -> dict[str, Any]:
    return {
        "rows": c["rows"],
        "hit@1": _ratio(c["hit1"], c["cited"]),
        "hit@3": _ratio(c["hit3"], c["cited"]),
        "route_acc": _ratio(c["route_ok"], c["rows"]),
        "urgent_recall": _ratio(c["urgent_ok"], c["urgent"]),
        "oos_precision": _ratio(c["oos_ok"], c["oos_said"]),
        "answer_rate": _ratio(c["answered"], c["answerable"]),
        "answered_precision": _ratio(c["answered_ok"], c["answered"]),
    }


@dataclass
class Report:
    total: Counter = field(default_factory=Counter)
    by_style: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    misses: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return figures(self.total)


def _key(law: str, article: object) -> tuple[str, str]:
    return str(law).strip(), str(article).strip()


def evaluate(services: Services, rows: Iterable[dict[str, Any]]) -> Report:
    """A hit@1 is any citation of the top answer in `citations_any`; hit@3 adds the
    citations of the first two alternatives."""
    report = Report()
    kb = services.kb
    for row in rows:
        result = services.assistant.ask(row["question"])
        counts = Counter(rows=1)
        want = {_key(law, art) for law, art in row.get("citations_any") or []}
        top = {_key(c.law, c.article) for c in result.citations}
        expected = row.get("route")
        if want:
            pool = set(top)
            for alt in result.alternatives[:2]:
                entry = kb.get(alt.faq_id)
                if entry is not None:
                    pool |= {_key(c.law, c.article) for c in entry.citations}
            hit1, hit3 = bool(want & top), bool(want & pool)
            counts.update(cited=1, hit1=hit1, hit3=hit3)
            if expected != "out_of_scope":
                answered = result.answer is not None
                counts.update(answerable=1, answered=answered, answered_ok=answered and hit1)
            if not hit1:
                report.misses.append(
                    f"MISS  {row.get('id')} [{row.get('topic')}] "
                    f"-> {result.faq_id} ({result.score:.2f}){' (in top 3)' if hit3 else ''}"
                )
        counts.update(route_ok=result.route == expected)
        if expected != result.route:
            report.misses.append(f"ROUTE {row.get('id')} want={expected} got={result.route}")
        if expected == "urgent":
            counts.update(urgent=1, urgent_ok=result.route == "urgent")
        if result.route == "out_of_scope":
            counts.update(oos_said=1, oos_ok=expected == "out_of_scope")
        report.total.update(counts)
        if row.get("style"):
            report.by_style[row["style"]].update(counts)
    return report


def print_report(report: Report, out: TextIO, *, misses: bool = True, name: str = "") -> None:
    if misses:
        for line in report.misses:
            out.write(line + "\n")
    columns = list(report.figures())
    out.write(f"\n{name}\n{'':10}" + "".join(f"{c[:13]:>14}" for c in columns) + "\n")
    for label, counts in [("all", report.total), *sorted(report.by_style.items())]:
        values = figures(counts)
        out.write(
            f"{label:10}"
            + "".join(f"{'-' if values[c] is None else values[c]:>14}" for c in columns)
            + "\n"
        )
