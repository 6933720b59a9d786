"""Hostile-input drill: N random events (text with control characters, odd digits, huge
strings, forged buttons, commands, voice, stickers, files, places) from workers, staff and an
admin through the real Dialog on a fresh database, with DEBUG logging captured.

    python bench/fuzz_drill.py [--events 10000] [--database-url URL] [--seed 0]

Prints progress on stderr and one JSON line: events, unhandled exceptions, events without a
reply, and how many log records carried a worker's words, a phone number or the token
(all must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.model import Attachment, Command, Location, Press, Sticker, Text, Voice
from bot.services import Services
from bot.settings import Settings

TOKEN = "123456:DRILL-secret-token"
PHONE = "13912345678"
SECRET_WORDS = "张三李四在某某厂被拖欠八千"
WORDS = [
    *"取消 返回 主菜单 我不想活了 老板打我 ① ² 一万六千多 汝州 工资 你好 🙂 加班费怎么算".split(),
    "\x00",
    "\u202e",
    "SZ-2026-000001",
    PHONE,
    SECRET_WORDS,
]
PREFIXES = ["", "case:wr:", "case:claim:", "case:hist:", "case:rp:", "case:to:", "case:ev:",
            "case:co:", "case:rate:", "i:", "i:submit:", "i:edit:", "s:same:", "f:", "law:",
            "fb:y:", "d:", "d:y", "q:new", "sq:", "p:", "m:help", "m:near", "c:"]  # fmt: skip
COMMANDS = ["start", "cancel", "law", "mycases", "claim", "reply", "close", "case", "queue",
            "duty", "whoami", "grant_staff", "transfer", "note", "zzz"]  # fmt: skip


def random_text(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.4:
        return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
    if pick < 0.8:
        return "".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(0, 60)))
    if pick < 0.95:
        return SECRET_WORDS + f"，电话{PHONE}，" + rng.choice(WORDS)
    return "长" * rng.randint(4000, 9000)


def random_event(rng: random.Random):
    kind = rng.random()
    if kind < 0.45:
        return Text(random_text(rng), reply_to=rng.choice([None, rng.randint(-5, 10**12)]))
    if kind < 0.7:
        return Press(rng.choice(PREFIXES) + random_text(rng)[:40])
    if kind < 0.85:
        return Command(rng.choice(COMMANDS), random_text(rng)[:80])
    if kind < 0.9:
        return Voice(rng.choice(["voice", "audio", "video_note"]), "V" + str(rng.randint(0, 9)), 5)
    if kind < 0.93:
        return Sticker()
    if kind < 0.97:
        return Attachment("photo", "P" + str(rng.randint(0, 9)), caption=random_text(rng))
    return Location(rng.uniform(-90, 90), rng.uniform(-180, 180))


async def drill(events: int, database_url: str, seed: int) -> dict:
    capture = io.StringIO()
    handler = logging.StreamHandler(capture)
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    for noisy in ("aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = Settings(database_url=database_url, admin_ids=[900], telegram_bot_token=TOKEN)
    services = await Services.create(settings)
    rng = random.Random(seed)
    users = [5001, 5002, 5003, 900]
    unhandled = silent = 0
    started = time.perf_counter()
    try:
        for n in range(1, events + 1):
            event = random_event(rng)
            try:
                replies = await services.dialog.handle(rng.choice(users), event, services.clock())
                silent += not replies and not isinstance(event, Location)
            except Exception as exc:  # the drill counts them
                unhandled += 1
                print(f"unhandled: {exc.__class__.__name__}: {event!r:.80}", file=sys.stderr)
            if n % 1000 == 0:
                rate = n / (time.perf_counter() - started)
                print(f"[{n}/{events}] {rate:.0f} events/s", file=sys.stderr, flush=True)
    finally:
        await services.aclose()
        logging.getLogger().removeHandler(handler)
    logs = capture.getvalue()
    leaks = {
        "words": logs.count(SECRET_WORDS),
        "phone": len(re.findall(PHONE, logs)),
        "token": logs.count(TOKEN) + logs.count(TOKEN.split(":")[1]),
    }
    return {"events": events, "unhandled": unhandled, "without_reply": silent,
            "log_lines": logs.count("\n"), "leaks": leaks}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/drill.db"
        print(json.dumps(asyncio.run(drill(args.events, url, args.seed)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
