"""Plain values handed between the core and the front ends (Telegram, console, ask)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Role(enum.StrEnum):
    WORKER = "worker"
    STAFF = "staff"
    ADMIN = "admin"


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # callback data: "area:verb:id", at most 64 bytes


@dataclass(frozen=True)
class Reply:
    """One message to show. `edit` asks the front end to replace the pressed message."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False
    chat_id: int | None = None  # None: the user who caused it
    ask_location: bool = False  # offer a "share location" keyboard button


# Events a user can cause -------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Command:
    name: str
    args: str = ""


@dataclass(frozen=True)
class Press:
    data: str


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Attachment:
    kind: str  # "photo" | "document"
    file_id: str
    file_name: str | None = None


Event = Text | Command | Press | Location | Attachment


@dataclass(frozen=True)
class CitationView:
    law: str
    article: str


@dataclass(frozen=True)
class Alternative:
    faq_id: str
    title: str
    score: float


@dataclass(frozen=True)
class AskResult:
    """The answer to one free-text question: the `ask --json` contract plus flags."""

    question: str
    faq_id: str | None
    score: float
    answer: str | None
    citations: tuple[CitationView, ...]
    route: str
    category: str | None
    alternatives: tuple[Alternative, ...]
    title: str | None = None
    crisis: bool = False
    collective: bool = False
    crisis_kinds: tuple[str, ...] = ()
    confident: bool = False
    danger_check: bool = False  # ask 现在有没有人身危险？ (the middle band of the urgent model)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The stable `python main.py ask --json` object."""
        return {
            "question": self.question,
            "faq_id": self.faq_id,
            "score": round(self.score, 4),
            "answer": self.answer,
            "citations": [{"law": c.law, "article": c.article} for c in self.citations],
            "route": self.route,
            "category": self.category,
            "alternatives": [
                {"faq_id": a.faq_id, "title": a.title, "score": round(a.score, 4)}
                for a in self.alternatives
            ],
            "danger_check": self.danger_check,
        }
