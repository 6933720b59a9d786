"""How updates are processed: concurrently across chats, in order within one chat, each
update once, and a flood from one user answered once instead of delaying everyone else.

- `ChatOrderedProcessor` (PTB's BaseUpdateProcessor): one asyncio lock per chat, so a slow
  Telegram call or a long step for one worker never holds up another; within one chat, updates
  run in arrival order. Updates queued for one chat beyond `PER_CHAT_BACKLOG` are dropped
  (the flood guard has already answered).
- `FloodGuard`: more than `LIMIT` updates from one user within `WINDOW_S` seconds get one notice;
  the rest of that burst is not handled. Its counters are only a rate limit (losing them on a
  restart is harmless).
- `seen_before` (a handler in group -1): the update id goes into the inbox table first, so a
  retried webhook delivery or a second instance never handles the same update twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor

from bot import texts
from handlers.context import BotContext
from storage import repositories as repo

logger = logging.getLogger(__name__)

MAX_CONCURRENT = 256
PER_CHAT_BACKLOG = 50
LIMIT = 20
WINDOW_S = 10.0


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = defaultdict(int)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        if self._waiting[key] >= PER_CHAT_BACKLOG:
            logger.warning("chat backlog full; update dropped (chat key %s)", key)
            close = getattr(coroutine, "close", None)
            if close is not None:
                close()
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                self._waiting.pop(key, None)
                if not lock.locked():
                    self._locks.pop(key, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class FloodGuard:
    def __init__(self, limit: int = LIMIT, window_s: float = WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(handle it, send the one notice)."""
        now = time.monotonic() if now is None else now
        stamps = self._seen.setdefault(user_id, deque())
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        stamps.append(now)
        if len(stamps) <= self.limit:
            return True, False
        warned = self._warned.get(user_id)
        if warned is not None and now - warned <= self.window_s:
            return False, False
        self._warned[user_id] = now
        return False, True


async def seen_before(update: Update, context: BotContext) -> None:
    """Group -1: record the update id (inbox) and stop if it was handled already, or if the
    user is flooding (answered once)."""
    services = context.services
    async with services.sessions.begin() as session:
        fresh = await repo.remember_update(session, update.update_id, services.clock())
    if not fresh:
        logger.info("update %s seen before: skipped", update.update_id)
        raise ApplicationHandlerStop
    user = update.effective_user
    guard: FloodGuard = context.bot_data.setdefault("flood_guard", FloodGuard())
    if user is None:
        return
    handle, notice = guard.allow(user.id)
    if handle:
        return
    message = update.effective_message
    words = (message.text or message.caption or "") if message is not None else ""
    if words and services.assistant.ask(words[:4000]).crisis:
        return  # never drop a message about danger, flood or not
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(texts.TOO_FAST, show_alert=False)
        except Exception:
            logger.info("could not answer a callback during a flood")
    elif notice and update.effective_chat is not None and update.effective_chat.type == "private":
        await context.bot.send_message(update.effective_chat.id, texts.TOO_FAST)
    logger.info("flood from user: update %s not handled", update.update_id)
    raise ApplicationHandlerStop


async def handled(update: Update, context: BotContext) -> None:
    """Last group: the update was handled (its stored payload is no longer needed)."""
    services = context.services
    async with services.sessions.begin() as session:
        await repo.finish_update(session, update.update_id)
