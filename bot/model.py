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
    image: bytes | None = None  # a PNG (a chart) sent with the text as its caption


_CONTROLS = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0xD800, 0xE000)]
)


def strip_controls(text: str) -> str:
    """Text without NUL, other control characters (tab and newlines stay) and lone UTF-16
    surrogates: PostgreSQL refuses U+0000, a surrogate cannot be stored as UTF-8, and none of
    them means anything in a worker's message."""
    return text.translate(_CONTROLS)


MAX_MESSAGE = 4000  # Telegram allows 4096 characters; leave room for headers


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split on paragraph, then line, then hard boundaries so every part fits `limit`."""
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        while len(paragraph) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) > limit:
            parts.append(current)
            current = paragraph
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


# Events a user can cause -------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    reply_to: int | None = None  # the bot's message this answers (Telegram's reply-to)
    caption: bool = False  # the caption of a photo or file, triaged like any text


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
    caption: str | None = None
    reply_to: int | None = None


@dataclass(frozen=True)
class Voice:
    """A voice note, audio or video message: not transcribed yet, so only its length is known."""

    kind: str  # "voice" | "audio" | "video" | "video_note"
    file_id: str
    seconds: int = 0
    reply_to: int | None = None


@dataclass(frozen=True)
class Sticker:
    """A sticker, contact, poll or anything else with no words to read."""

    kind: str = "sticker"


Event = Text | Command | Press | Location | Attachment | Voice | Sticker


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
