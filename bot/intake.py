"""The intake conversation as a state machine: one question at a time, stored on every step.

State lives in the `dialog_states` row of the worker ({"step": …, "history": […], fields…}),
written in the same transaction that reads the answer, so a restart or a second bot
instance continues exactly where the worker was. Nothing is stored before consent.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import intake_texts as t
from bot.model import Attachment, Button, Event, Location, Press, Reply, Text
from knowledge.amounts import parse_amount
from knowledge.stations import Directory

STATE = "intake"
MAX_EVIDENCE = 20
_PHONE = re.compile(r"^1[3-9]\d{9}$")
MAX_DESCRIPTION = 4000  # a long story is kept whole (one Telegram message is at most 4096)
# Fields the summary lets the worker change one at a time: button label, step.
EDITABLE = (
    ("经过", "description"),
    ("单位", "employer"),
    ("地点", "place"),
    ("人数", "workers"),
    ("金额", "amount"),
    ("时间", "began"),
    ("电话", "phone"),
    ("证据", "evidence"),
)

Draft = dict[str, Any]


@dataclass(frozen=True)
class Step:
    name: str
    prompt: Callable[[Draft, Directory], list[Reply]]


def _nav(*rows: tuple[Button, ...], back: bool = True) -> tuple[tuple[Button, ...], ...]:
    nav = ((Button(t.BACK, "i:back"),) if back else ()) + (Button(t.CANCEL, "i:cancel"),)
    return (*rows, nav)


def _choices(
    prefix: str, options: tuple[tuple[str, str], ...], per_row: int = 2
) -> list[tuple[Button, ...]]:
    buttons = [Button(label, f"i:{prefix}:{value}") for value, label in options]
    return [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def _city_rows(directory: Directory) -> list[tuple[Button, ...]]:
    roots = directory.roots()
    buttons = [Button(r.city, f"i:city:{r.code}") for r in roots]
    return [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]


def submit_data(draft: Draft) -> str:
    """确认提交's callback data, naming the intake so a repeated press finds its case."""
    key = draft.get("key")
    return f"i:submit:{key}" if key else "i:submit"


def summary(draft: Draft, directory: Directory) -> str:
    station = directory.get(draft.get("station", "")) if draft.get("station") else None
    kind = t.KIND_REPORT if draft.get("kind") == "report" else t.KIND_HELP
    lines = [
        t.SUMMARY_HEAD,
        f"· 类型：{kind}" + ("（匿名）" if draft.get("anonymous") else ""),
        f"· 问题：{t.CATEGORY_NAMES.get(draft.get('category', ''), '其他')}",
        f"· 经过：{draft.get('description', '')}",
        f"· 单位：{draft.get('employer', '')}",
        f"· 地点：{draft.get('place', '')}" + (f" → {station.name}" if station else ""),
        f"· 涉及人数：{dict(t.WORKER_OPTIONS).get(draft.get('workers', ''), '')}",
    ]
    if draft.get("amount") is not None:
        lines.append(f"· 金额：约{draft['amount']}元")
    if draft.get("began"):
        lines.append(f"· 开始时间：{dict(t.BEGAN_OPTIONS).get(draft['began'], draft['began'])}")
    if not draft.get("anonymous"):
        lines.append(f"· 电话：{draft.get('phone') or '未留'}")
    lines.append(f"· 证据材料：{len(draft.get('evidence', []))}份")
    return "\n".join(lines)


def _consent_prompt(retention_years: int) -> Callable[[Draft, Directory], list[Reply]]:
    def prompt(draft: Draft, directory: Directory) -> list[Reply]:
        text = t.CONSENT.format(years=retention_years)
        return [
            Reply(
                text,
                ((Button(t.CONSENT_YES, "i:consent:yes"), Button(t.CONSENT_NO, "i:consent:no")),),
            )
        ]

    return prompt


def _steps(retention_years: int) -> dict[str, Step]:
    def simple(
        text: str, rows: list[tuple[Button, ...]] | None = None, back: bool = True
    ) -> Callable[[Draft, Directory], list[Reply]]:
        return lambda draft, directory: [Reply(text, _nav(*(rows or []), back=back))]

    def category(draft: Draft, directory: Directory) -> list[Reply]:
        options = t.REPORT_CATEGORIES if draft.get("kind") == "report" else t.HELP_CATEGORIES
        return [Reply(t.ASK_CATEGORY, _nav(*_choices("cat", options)))]

    def place(draft: Draft, directory: Directory) -> list[Reply]:
        return [
            Reply(t.ASK_PLACE, ask_location=True),
            Reply(t.ASK_PLACE_CITY, _nav(*_city_rows(directory))),
        ]

    def place_confirm(draft: Draft, directory: Directory) -> list[Reply]:
        station = directory.get(draft.get("pending_station", ""))
        text = t.PLACE_CONFIRM.format(
            place=draft.get("pending_place", ""), station=station.name if station else ""
        )
        return [
            Reply(
                text, _nav((Button(t.PLACE_YES, "i:place:yes"), Button(t.PLACE_NO, "i:place:no")))
            )
        ]

    def began(draft: Draft, directory: Directory) -> list[Reply]:
        return [Reply(t.ASK_BEGAN, _nav(*_choices("began", t.BEGAN_OPTIONS, 3)))]

    def evidence(draft: Draft, directory: Directory) -> list[Reply]:
        return [Reply(t.ASK_EVIDENCE, _nav((Button(t.DONE, "i:done"), Button(t.SKIP, "i:skip"))))]

    def confirm(draft: Draft, directory: Directory) -> list[Reply]:
        fields = [
            Button(f"改{label}", f"i:edit:{step}")
            for label, step in EDITABLE
            if not (step == "phone" and draft.get("anonymous"))
        ]
        edits = [tuple(fields[i : i + 4]) for i in range(0, len(fields), 4)]
        return [
            Reply(
                summary(draft, directory),
                (
                    (Button(t.SUBMIT, submit_data(draft)),),
                    *edits,
                    (Button(t.RESTART, "i:restart"), Button(t.BACK, "i:back")),
                    (Button(t.CANCEL, "i:cancel"),),
                ),
            )
        ]

    steps = [
        Step("consent", _consent_prompt(retention_years)),
        Step(
            "kind",
            simple(
                t.ASK_KIND,
                [(Button(t.KIND_HELP, "i:kind:help"),), (Button(t.KIND_REPORT, "i:kind:report"),)],
                back=False,
            ),
        ),
        Step(
            "anonymous",
            simple(
                t.ASK_ANON, [(Button(t.ANON_YES, "i:anon:yes"), Button(t.ANON_NO, "i:anon:no"))]
            ),
        ),
        Step("category", category),
        Step("description", simple(t.ASK_DESCRIPTION)),
        Step("employer", simple(t.ASK_EMPLOYER)),
        Step("place", place),
        Step("place_confirm", place_confirm),
        Step("workers", simple(t.ASK_WORKERS, _choices("workers", t.WORKER_OPTIONS))),
        Step(
            "migrant",
            simple(
                t.ASK_MIGRANT, [(Button(t.YES, "i:migrant:yes"), Button(t.NO, "i:migrant:no"))]
            ),
        ),
        Step("amount", simple(t.ASK_AMOUNT, [(Button(t.SKIP, "i:skip"),)])),
        Step("began", began),
        Step("phone", simple(t.ASK_PHONE, [(Button(t.SKIP, "i:skip"),)])),
        Step("evidence", evidence),
        Step("confirm", confirm),
    ]
    return {s.name: s for s in steps}


class Invalid(Exception):
    """The answer does not fit the step; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """What the dialog should do after an intake event."""

    replies: list[Reply]
    draft: Draft | None  # None: the intake ended (cancelled or submitted)
    submit: bool = False
    consent_given: bool = False


class Intake:
    """Pure transitions: (draft, event) -> Outcome. Persistence is the Dialog's job."""

    def __init__(self, directory: Callable[[], Directory], retention_years: int = 3) -> None:
        self._directory = directory
        self.steps = _steps(retention_years)

    @property
    def directory(self) -> Directory:
        return self._directory()

    def start(self) -> Outcome:
        # The key makes submitting idempotent: a second press finds the same case.
        draft: Draft = {"step": "consent", "history": [], "key": uuid.uuid4().hex}
        return Outcome(self.prompt(draft), draft)

    def prompt(self, draft: Draft) -> list[Reply]:
        return self.steps[draft["step"]].prompt(draft, self.directory)

    def handle(self, draft: Draft, event: Event, now: datetime) -> Outcome:
        data = event.data if isinstance(event, Press) else None
        if data == "i:cancel":
            return Outcome([Reply(t.CANCELLED)], None)
        step = draft["step"]
        if data == "i:back":
            # Going back keeps every answer; once the summary was shown, answering the
            # earlier step again returns straight to it.
            if draft["history"]:
                draft = {**draft, "step": draft["history"][-1], "history": draft["history"][:-1]}
            return Outcome(self.prompt(draft), draft)
        if data is not None and data.startswith("i:edit:"):
            field = data.removeprefix("i:edit:")
            if step != "confirm" or field not in {name for _, name in EDITABLE}:
                return Outcome([Reply(t.PRESS_A_BUTTON), *self.prompt(draft)], draft)
            edited = {**draft, "step": field, "history": [*draft["history"], "confirm"]}
            return Outcome(self.prompt(edited), edited)
        if data == "i:restart":
            fresh: Draft = {
                "step": "kind",
                "history": ["consent"],
                "consented_at": draft.get("consented_at"),
                "key": uuid.uuid4().hex,
            }
            return Outcome(self.prompt(fresh), fresh)
        if step == "consent":
            if data == "i:consent:no":
                return Outcome([Reply(t.DECLINED)], None)
            if data != "i:consent:yes":
                return Outcome([Reply(t.PRESS_A_BUTTON), *self.prompt(draft)], draft)
            draft = {**draft, "consented_at": now.isoformat()}
            return self._advance(draft, "kind", consent_given=True)
        try:
            updates, next_step, notes = self._accept(step, draft, event)
        except Invalid as exc:
            return Outcome([Reply(str(exc)), *self.prompt(draft)], draft)
        if next_step == "submit":
            return Outcome([], {**draft, **updates}, submit=True)
        if next_step == step:  # e.g. another evidence photo
            return Outcome(notes, {**draft, **updates})
        if step == "confirm" or next_step == "confirm":
            updates["reviewed"] = True
        elif draft.get("reviewed") and next_step != "place_confirm" and step != "kind":
            next_step = "confirm"
        return self._advance({**draft, **updates}, next_step, notes=notes)

    def _advance(
        self,
        draft: Draft,
        next_step: str,
        *,
        notes: list[Reply] | None = None,
        consent_given: bool = False,
    ) -> Outcome:
        history = [*draft["history"], draft["step"]]
        draft = {**draft, "step": next_step, "history": history}
        return Outcome([*(notes or []), *self.prompt(draft)], draft, consent_given=consent_given)

    def _accept(self, step: str, draft: Draft, event: Event) -> tuple[Draft, str, list[Reply]]:
        """Validate the answer to `step`: (field updates, next step, notes to show first)."""
        data = event.data if isinstance(event, Press) else ""
        text = event.text.strip() if isinstance(event, Text) else ""
        report = draft.get("kind") == "report"

        if step == "kind":
            kind = _choice(data, "kind", ("help", "report"))
            return (
                {"kind": kind, "anonymous": False},
                ("anonymous" if kind == "report" else "category"),
                [],
            )
        if step == "anonymous":
            return {"anonymous": _choice(data, "anon", ("yes", "no")) == "yes"}, "category", []
        if step == "category":
            options = t.REPORT_CATEGORIES if report else t.HELP_CATEGORIES
            return (
                {"category": _choice(data, "cat", tuple(v for v, _ in options))},
                "description",
                [],
            )
        if step == "description":
            if len(text) < 6:
                raise Invalid(t.DESCRIPTION_TOO_SHORT)
            notes = []
            if len(text) > MAX_DESCRIPTION:
                notes.append(Reply(t.DESCRIPTION_CUT.format(limit=MAX_DESCRIPTION)))
            return {"description": text[:MAX_DESCRIPTION]}, "employer", notes
        if step == "employer":
            if not text:
                raise Invalid(t.ASK_EMPLOYER)
            return {"employer": text[:200]}, "place", []
        if step == "place":
            return self._accept_place(event)
        if step == "place_confirm":
            answer = _choice(data, "place", ("yes", "no"))
            if answer == "no":
                return {"pending_station": None, "pending_place": None}, "place", []
            station = self.directory.get(draft.get("pending_station") or "")
            if station is None:
                return {}, "place", []
            return (
                {
                    "station": station.code,
                    "place": draft.get("pending_place"),
                    "pending_station": None,
                    "pending_place": None,
                },
                "workers",
                [Reply(t.PLACE_SET.format(station=station.name))],
            )
        if step == "workers":
            workers = _choice(data, "workers", tuple(v for v, _ in t.WORKER_OPTIONS))
            return {"workers": workers}, ("amount" if report else "migrant"), []
        if step == "migrant":
            return {"migrant": _choice(data, "migrant", ("yes", "no")) == "yes"}, "amount", []
        if step == "amount":
            if data == "i:skip":
                return {"amount": None}, "began", []
            amount = parse_amount(text)
            if amount is None:
                raise Invalid(t.AMOUNT_INVALID)
            return {"amount": amount}, "began", []
        if step == "began":
            began = (
                _choice(data, "began", tuple(v for v, _ in t.BEGAN_OPTIONS)) if data else text[:32]
            )
            if not began:
                raise Invalid(t.PRESS_A_BUTTON)
            notes = [Reply(t.LIMITATION_WARNING)] if began in ("6-12m", "gt1y") else []
            nxt = "evidence" if draft.get("anonymous") else "phone"
            return {"began": began}, nxt, notes
        if step == "phone":
            if data == "i:skip":
                return {"phone": None}, "evidence", []
            phone = re.sub(r"[\s-]", "", text).removeprefix("+86")
            if not _PHONE.match(phone):
                raise Invalid(t.PHONE_INVALID)
            return {"phone": phone}, "evidence", []
        if step == "evidence":
            if data in ("i:done", "i:skip"):
                return {}, "confirm", []
            if isinstance(event, Attachment):
                items = list(draft.get("evidence", []))
                if len(items) < MAX_EVIDENCE:
                    items.append(
                        {
                            "kind": event.kind,
                            "file_id": event.file_id,
                            "file_name": event.file_name,
                        }
                    )
                note = Reply(
                    t.EVIDENCE_ADDED.format(count=len(items)), ((Button(t.DONE, "i:done"),),)
                )
                return {"evidence": items}, "evidence", [note]
            raise Invalid(t.ASK_EVIDENCE)
        if step == "confirm":
            if data == "i:submit" or data.startswith("i:submit:"):
                return {}, "submit", []
            raise Invalid(t.PRESS_A_BUTTON)
        raise Invalid(t.PRESS_A_BUTTON)

    def _accept_place(self, event: Event) -> tuple[Draft, str, list[Reply]]:
        directory = self.directory
        if isinstance(event, Location):
            nearest = directory.nearest(event.latitude, event.longitude, limit=1)
            if not nearest:
                raise Invalid(t.ASK_PLACE)
            station = nearest[0].station
            # Only the matched station and its district are kept, never the coordinates.
            label = station.district or station.city
            return (
                {"station": station.code, "place": f"{label}（按位置）"},
                "workers",
                [Reply(t.PLACE_SET.format(station=station.name))],
            )
        if isinstance(event, Press) and event.data.startswith("i:city:"):
            station = directory.get(event.data.removeprefix("i:city:"))
            if station is None:
                raise Invalid(t.PRESS_A_BUTTON)
            return (
                {"station": station.code, "place": station.city},
                "workers",
                [Reply(t.PLACE_SET.format(station=station.name))],
            )
        if isinstance(event, Text) and event.text.strip():
            typed = event.text.strip()[:60]
            match = directory.match_place(typed)
            if match is None:
                cities = "、".join(r.city for r in directory.roots())
                raise Invalid(t.PLACE_UNKNOWN.format(cities=cities))
            if match.sure:
                return (
                    {"station": match.station.code, "place": typed},
                    "workers",
                    [Reply(t.PLACE_SET.format(station=match.station.name))],
                )
            # Ask about the place as the directory spells it, not the typo.
            return (
                {"pending_station": match.station.code, "pending_place": match.place},
                "place_confirm",
                [],
            )
        raise Invalid(t.ASK_PLACE)


def _choice(data: str, prefix: str, allowed: tuple[str, ...]) -> str:
    head = f"i:{prefix}:"
    value = data.removeprefix(head) if data.startswith(head) else None
    if value not in allowed:
        raise Invalid(t.PRESS_A_BUTTON)
    return value
