"""Worker-facing handlers: read the Update, call the Dialog, render the replies."""

from __future__ import annotations

import logging

from telegram import Update

from bot.model import Attachment, Command, Event, Location, Press, Text
from handlers.context import BotContext
from handlers.render import send_replies

logger = logging.getLogger(__name__)


async def _dispatch(update: Update, context: BotContext, event: Event) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    replies = await services.dialog.handle(user.id, event, services.clock())
    await send_replies(context.bot, update, replies)


async def command(update: Update, context: BotContext) -> None:
    """Any /command in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    head, _, args = message.text.partition(" ")
    name = head.lstrip("/").split("@", 1)[0].lower()
    await _dispatch(update, context, Command(name, args.strip()))


async def text(update: Update, context: BotContext) -> None:
    """A free-text question or an answer to the current step."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _dispatch(update, context, Text(message.text))


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
    """A photo or document (evidence)."""
    message = update.effective_message
    if message is None:
        return
    if message.photo:
        event = Attachment("photo", message.photo[-1].file_id)
    elif message.document:
        event = Attachment("document", message.document.file_id, message.document.file_name)
    else:
        return
    await _dispatch(update, context, event)


async def membership(update: Update, context: BotContext) -> None:
    """The user blocked (kicked) or unblocked the bot in a private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    reachable = change.new_chat_member.status not in ("kicked", "left")
    await context.services.dialog.set_reachable(
        change.chat.id, reachable, context.services.clock()
    )
