"""Triage: self_help / legal_aid / urgent / out_of_scope, plus crisis and collective flags.

The rules are data (`triage.yaml`, regexes over cleaned text) so that admins can read and
extend them; this module only applies them in a fixed order of precedence:

1. crisis (self-harm, violence, confinement, serious injury or danger now) -> urgent
2. a legal deadline within days -> urgent
3. collective action happening or planned -> urgent, collective
4. not labour law (an out-of-scope topic and no labour anchor) -> out_of_scope
5. a live dispute a person should take (the worker asks for a person, a proceeding is under
   way, negotiation failed, or the employer refused: in a long-running dispute, more than
   once, or in a story that asks no information question) -> legal_aid
6. otherwise -> self_help
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.normalize import clean

TRIAGE_PATH = Path(__file__).resolve().parent / "triage.yaml"


class Route(enum.StrEnum):
    SELF_HELP = "self_help"
    LEGAL_AID = "legal_aid"
    URGENT = "urgent"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Triage:
    route: Route
    crisis: bool = False
    collective: bool = False
    crisis_kinds: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    out_of_scope_topic: str | None = None


def _compile(patterns: Iterable[str] | None) -> re.Pattern[str] | None:
    items = [p for p in patterns or [] if p]
    return re.compile("|".join(f"(?:{p})" for p in items)) if items else None


def _hit(pattern: re.Pattern[str] | None, text: str) -> bool:
    return bool(pattern and pattern.search(text))


class TriageRules:
    """Compiled triage lexicon."""

    def __init__(self, data: dict) -> None:
        crisis = data.get("crisis") or {}
        self.crisis = {kind: _compile(patterns) for kind, patterns in crisis.items()}
        self.deadline = _compile(data.get("deadline"))
        collective = data.get("collective") or {}
        self.many_workers = _compile(collective.get("many_workers"))
        self.collective_action = _compile(collective.get("action"))
        legal = data.get("legal_aid") or {}
        self.intent_each = [re.compile(p) for p in legal.get("intent") or [] if p]
        self.refused_each = [re.compile(p) for p in legal.get("refused") or [] if p]
        self.strong = _compile(legal.get("strong"))
        self.question = _compile(legal.get("question_markers"))
        self.ongoing = _compile(legal.get("ongoing_months"))
        scope = data.get("out_of_scope") or {}
        self.oos_topics = {name: _compile(p) for name, p in (scope.get("topics") or {}).items()}
        self.labour_anchor = _compile(scope.get("labour_anchor"))

    @classmethod
    def load(cls, path: Path = TRIAGE_PATH) -> TriageRules:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def is_labour(self, text: str) -> bool:
        """True if the cleaned text mentions work at all (an employer, wages, an injury…)."""
        return _hit(self.labour_anchor, text)

    def classify(
        self, question: str, *, match_score: float = 1.0, unknown_below: float = 0.0
    ) -> Triage:
        """Triage one message.

        `match_score` is the knowledge-base confidence; a message with no labour words whose
        best match scores below `unknown_below` is treated as out of scope too.
        """
        text = clean(question)
        kinds = tuple(kind for kind, p in self.crisis.items() if _hit(p, text))
        deadline = _hit(self.deadline, text)
        many = _hit(self.many_workers, text)
        action = _hit(self.collective_action, text)
        collective = many or action
        reasons: list[str] = [f"crisis:{k}" for k in kinds]
        if deadline:
            kinds = (*kinds, "deadline")
            reasons.append("deadline")
        if action:
            reasons.append("collective_action")
        elif many:
            reasons.append("many_workers")
        labour = self.is_labour(text)
        oos_topic = (
            None
            if labour
            else next((name for name, p in self.oos_topics.items() if _hit(p, text)), None)
        )
        # A beating or confinement outside work (a child at school) is not labour law; only
        # self-harm and danger at work stay urgent without a labour word.
        if kinds and oos_topic is not None and set(kinds) <= {"violence", "confinement"}:
            kinds = ()
        if kinds or action:
            return Triage(
                Route.URGENT,
                crisis=bool(kinds),
                collective=collective,
                crisis_kinds=kinds,
                reasons=tuple(reasons),
            )
        if not labour:
            topic = oos_topic
            if topic is not None or match_score < unknown_below:
                return Triage(
                    Route.OUT_OF_SCOPE,
                    reasons=(f"out_of_scope:{topic or 'unknown'}",),
                    out_of_scope_topic=topic,
                )
        intent = any(_affirmed(m, text) for p in self.intent_each for m in p.finditer(text))
        strong = _hit(self.strong, text)
        refusals = _distinct_spans(self.refused_each, text)
        ongoing = _hit(self.ongoing, text)
        # One refusal alone is often an information question ("公司不给交社保合法吗");
        # a refusal in a long-running dispute, or refusal upon refusal, is a live dispute.
        narrative = refusals and not _hit(self.question, text)
        if intent or strong or (refusals and ongoing) or refusals >= 2 or narrative:
            reasons.extend(
                r
                for r, on in (
                    ("intent", intent),
                    ("strong", strong),
                    ("refused", refusals),
                    ("ongoing", ongoing),
                )
                if on
            )
            return Triage(Route.LEGAL_AID, collective=collective, reasons=tuple(reasons))
        return Triage(Route.SELF_HELP, collective=collective, reasons=tuple(reasons))


_NEGATION = ("不想", "不要", "不用", "不打算", "没打算", "不愿意", "不愿")


def _affirmed(match: re.Match[str], text: str) -> bool:
    """False for "不想打官司": an intent the worker just said they do not have."""
    # The negation may end just before the match or share its first character (不想 + 想打官司).
    window = text[max(0, match.start() - 3) : match.start() + 2]
    return not any(n in window for n in _NEGATION)


def _distinct_spans(patterns: list[re.Pattern[str]], text: str) -> int:
    """How many separate places in the text match any pattern (overlaps count once)."""
    spans = sorted((m.start(), m.end()) for p in patterns for m in p.finditer(text))
    count, end = 0, -1
    for start, stop in spans:
        if start >= end:
            count += 1
            end = stop
        else:
            end = max(end, stop)
    return count
