"""Turning core Replies into Telegram messages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.model import Button, Reply, split_message

logger = logging.getLogger(__name__)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if reply.ask_location:
        rows = [[KeyboardButton("发送我的位置", request_location=True)]]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    return inline_markup(reply.buttons)


def inline_markup(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Core buttons as an inline keyboard (None when there are none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in buttons]
    )


Later = Callable[[int, int, Reply], Awaitable[None]]


async def send_replies(
    bot: ExtBot[None], update: Update, replies: list[Reply], later: Later | None = None
) -> None:
    """Send (or edit in place) each reply; the first `edit` reply replaces the pressed message.

    A reply Telegram did not take (a timeout, a dropped connection, 5xx, flood control) is
    handed to `later` (the outbox, which retries), so a safety text or a case number is never
    lost to one failed call; a "blocked" answer is not retried."""
    chat = update.effective_chat
    query = update.callback_query
    for index, reply in enumerate(replies):
        try:
            await _send_one(bot, query, chat, reply)
        except (TimedOut, NetworkError, RetryAfter) as exc:
            target = reply.chat_id if reply.chat_id is not None else (chat.id if chat else None)
            if later is None or target is None or reply.image is not None:
                raise
            logger.warning(
                "reply %s of update %s not sent (%s): queued",
                index,
                update.update_id,
                exc.__class__.__name__,
            )
            await later(update.update_id * 100 + index, target, reply)


async def _send_one(
    bot: ExtBot[None], query: CallbackQuery | None, chat: Chat | None, reply: Reply
) -> None:
    markup = keyboard(reply)
    if reply.edit and query is not None and isinstance(query.message, Message):
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        try:
            await query.edit_message_text(reply.text, reply_markup=inline)
            return
        except BadRequest as exc:
            if "not modified" in exc.message:
                return
            # The message may be too old or gone: fall back to a new message.
            logger.info("edit failed (%s); sending instead", exc.message)
    target = reply.chat_id if reply.chat_id is not None else (chat.id if chat else None)
    if target is None:
        return
    try:
        if reply.image is not None:
            await bot.send_photo(target, reply.image, caption=reply.text[:1000] or None)
            return
        parts = split_message(reply.text)
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            await bot.send_message(target, part, reply_markup=markup if last else None)
    except Forbidden:
        logger.info("chat %s blocked the bot", target)
