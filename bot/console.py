"""The console front end: the same Dialog as Telegram, read from stdin, printed to stdout."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from bot.model import Button, Command, Event, Press, Reply, Text
from bot.services import Services

PROMPT = "你> "


def parse_line(line: str, buttons: list[Button]) -> Event | None:
    """`/cmd args` is a command, a bare number presses that button, anything else is text."""
    line = line.strip()
    if not line:
        return None
    if line.startswith("/"):
        name, _, args = line[1:].partition(" ")
        return Command(name.lower(), args.strip())
    if line.isdigit() and 1 <= int(line) <= len(buttons):
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


async def run_console(
    services: Services,
    *,
    user_id: int,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    readline: Callable[[], str] | None = None,
) -> None:
    """Chat until EOF or /quit. Buttons are numbered; type the number to press one."""
    read = readline or stdin.readline
    interactive = stdin.isatty()

    def show(replies: list[Reply]) -> list[Button]:
        buttons: list[Button] = []
        for reply in replies:
            text, shown = render(reply, start=len(buttons) + 1)
            buttons.extend(shown)
            stdout.write(f"助手> {text}\n\n")
        stdout.flush()
        return buttons

    buttons = show(await services.dialog.handle(user_id, Command("start"), services.clock()))
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
        buttons = show(replies) or buttons
