"""Worker-facing handlers: read the Update, call the Dialog, render the replies."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update

from bot.model import Attachment, Command, Event, Location, Press, Reply, Sticker, Text, Voice
from handlers.context import BotContext
from handlers.render import send_replies

logger = logging.getLogger(__name__)


async def _dispatch(update: Update, context: BotContext, event: Event) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    replies = await services.dialog.handle(user.id, event, services.clock())

    async def later(key: int, chat_id: int, reply: Reply) -> None:
        await services.dialog.send_later(key, chat_id, reply, services.clock())

    await send_replies(context.bot, update, replies, later)


async def command(update: Update, context: BotContext) -> None:
    """Any /command in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    head, _, args = message.text.partition(" ")
    name = head.lstrip("/").split("@", 1)[0].lower()
    await _dispatch(update, context, Command(name, args.strip()))


def _reply_to(update: Update) -> int | None:
    """The id of the bot's message this one replies to, if any."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    return replied.message_id if replied is not None else None


async def text(update: Update, context: BotContext) -> None:
    """A free-text question, an answer to the current step, or a follow-up to staff."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _dispatch(update, context, Text(message.text, reply_to=_reply_to(update)))


async def button(update: Update, context: BotContext) -> None:
    """An inline button press; the data is untrusted and re-checked by the core."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await _dispatch(update, context, Press(query.data or ""))


async def location(update: Update, context: BotContext) -> None:
    """A shared location."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    loc = message.location
    await _dispatch(update, context, Location(loc.latitude, loc.longitude))


async def attachment(update: Update, context: BotContext) -> None:
    """A photo or document (evidence); its caption is read like any text."""
    message = update.effective_message
    if message is None:
        return
    caption, reply_to = message.caption, _reply_to(update)
    if message.photo:
        event = Attachment("photo", message.photo[-1].file_id, caption=caption, reply_to=reply_to)
    elif message.document:
        document = message.document
        event = Attachment(
            "document", document.file_id, document.file_name, caption=caption, reply_to=reply_to
        )
    else:
        return
    await _dispatch(update, context, event)


async def voice(update: Update, context: BotContext) -> None:
    """A voice note, audio, video or video note: not transcribed, but never ignored."""
    message = update.effective_message
    if message is None:
        return
    media = (
        ("voice", message.voice),
        ("audio", message.audio),
        ("video", message.video),
        ("video_note", message.video_note),
    )
    for kind, item in media:
        if item is not None:
            duration = getattr(item, "duration", 0) or 0
            # PTB hands an int or (newer releases) a timedelta.
            if isinstance(duration, dt.timedelta):
                duration = duration.total_seconds()
            seconds = int(duration)
            event = Voice(kind, item.file_id, seconds, reply_to=_reply_to(update))
            await _dispatch(update, context, event)
            return


async def other(update: Update, context: BotContext) -> None:
    """Stickers, contacts, polls and the like: a short answer and the menu."""
    if update.effective_message is None:
        return
    await _dispatch(update, context, Sticker())


async def membership(update: Update, context: BotContext) -> None:
    """The user blocked (kicked) or unblocked the bot in a private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    reachable = change.new_chat_member.status not in ("kicked", "left")
    await context.services.dialog.set_reachable(
        change.chat.id, reachable, context.services.clock()
    )
