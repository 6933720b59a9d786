"""The console front end: the same Dialog as Telegram, read from stdin, printed to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bot.model import Button, Command, Event, Press, Reply, Text
from bot.services import Services

PROMPT = "你> "
RELAY_SECONDS = 2.0

logger = logging.getLogger(__name__)


def parse_line(line: str, buttons: list[Button]) -> Event | None:
    """`/cmd args` is a command, a bare number presses that button, anything else is text."""
    line = line.strip()
    if not line:
        return None
    if line.startswith("/"):
        name, _, args = line[1:].partition(" ")
        return Command(name.lower(), args.strip())
    if line.isdecimal() and line.isascii() and 1 <= int(line) <= len(buttons):
        return Press(buttons[int(line) - 1].data)
    return Text(line)


def render(reply: Reply, start: int = 1) -> tuple[str, list[Button]]:
    """Reply text followed by numbered buttons: `[1] 常见问题  [2] 我要求助`."""
    lines = [reply.text]
    buttons: list[Button] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            buttons.append(button)
            cells.append(f"[{start + len(buttons) - 1}] {button.text}")
        lines.append("  ".join(cells))
    return "\n".join(lines), buttons


class ConsoleNotifier:
    """The relay's Notifier for a console: what is addressed to the console's own user is
    printed (with pressable buttons); nothing else is claimed (see `run_once(chat_id=…)`)."""

    def __init__(self, show: Callable[[list[Reply], bool], None]) -> None:
        self._show = show
        self._ids = itertools.count(1)

    async def send(self, chat_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> int:
        self._show([Reply(text, tuple(tuple(row) for row in buttons))], True)
        return next(self._ids)

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> None:
        self._show([Reply("（更新）" + text, tuple(tuple(row) for row in buttons))], True)

    async def send_file(self, chat_id: int, kind: str, file_id: str, caption: str = "") -> int:
        self._show([Reply(f"〔{kind} {file_id}〕{caption}")], True)
        return next(self._ids)

    async def set_menu(self, chat_id: int, commands: Sequence[tuple[str, str]]) -> None:
        names = " ".join(f"/{name}" for name, _ in commands)
        self._show([Reply(f"（命令菜单：{names}）")], True)


async def run_console(
    services: Services,
    *,
    user_id: int,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    readline: Callable[[], str] | None = None,
    poll_seconds: float = RELAY_SECONDS,
) -> None:
    """Chat until EOF or /quit. Buttons are numbered; type the number to press one.

    Like the Telegram bot, the console runs the outbox relay and the escalation sweeper, and
    shows what is sent to its user: two consoles on one database (a worker, a staff member)
    can hold a case conversation."""
    read = readline or stdin.readline
    interactive = stdin.isatty()
    buttons: list[Button] = []

    def show(replies: list[Reply], notice: bool = False) -> None:
        if not notice:
            buttons.clear()
        for reply in replies:
            if reply.image is not None:
                saved = Path(tempfile.gettempdir()) / f"labor-aid-chart-{uuid.uuid4().hex[:8]}.png"
                saved.write_bytes(reply.image)
                reply = Reply(f"{reply.text}\n（图表已保存：{saved}）", reply.buttons)
            text, shown = render(reply, start=len(buttons) + 1)
            buttons.extend(shown)
            stdout.write(f"{'通知' if notice else '助手'}> {text}\n\n")
        stdout.flush()

    notifier = ConsoleNotifier(show)

    async def deliver() -> None:
        now = services.clock()
        await services.kb.refresh_if_changed()
        await services.escalation.escalate_overdue(now)
        await services.relay.run_once(notifier, now, chat_id=user_id)

    async def background() -> None:
        while True:
            await asyncio.sleep(poll_seconds)
            try:
                await deliver()
            except Exception:  # keep the chat alive; the row stays due and is retried
                logger.exception("console relay failed")

    show(await services.dialog.handle(user_id, Command("start"), services.clock()))
    task = asyncio.create_task(background())
    try:
        while True:
            if interactive:
                stdout.write(PROMPT)
                stdout.flush()
            line = await asyncio.to_thread(read)
            if not line or line.strip() in ("/quit", "/exit"):
                break
            event = parse_line(line, buttons)
            if event is None:
                continue
            replies = await services.dialog.handle(user_id, event, services.clock())
            if replies:
                show(replies)
            await deliver()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
