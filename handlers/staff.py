"""Staff-facing handlers: case cards' buttons, commands in station groups, replies to cards."""

from __future__ import annotations

import logging

from telegram import Update

from bot import staff_commands
from bot.desk import DeskError
from bot.staff_texts import CLAIMED_OK
from handlers import worker
from handlers.context import BotContext
from handlers.render import send_replies

logger = logging.getLogger(__name__)


async def claim_case(update: Update, context: BotContext) -> None:
    """Duty staff pressed 认领 under a case card (in a group or a private chat)."""
    query = update.callback_query
    if query is None or context.match is None:
        return
    case_id = int(context.match.group(1))
    services = context.services
    try:
        case = await services.desk.claim(case_id, query.from_user.id, services.clock())
    except DeskError as exc:
        # Refused presses (taken, forged, not staff) change nothing and say why, privately.
        await query.answer(str(exc)[:200], show_alert=True)
        logger.info("claim of case %s by %s refused", case_id, query.from_user.id)
        return
    await query.answer(CLAIMED_OK.format(number=case.number, id=case.id)[:200])
    services.dialog.outbox_written()


async def command(update: Update, context: BotContext) -> None:
    """A staff command typed in a station group."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    if message.sender_chat is not None:  # anonymous admins and channels cannot act
        return
    head, _, args = message.text.partition(" ")
    name = head.lstrip("/").split("@", 1)[0].lower()
    if name not in staff_commands.COMMANDS:
        return
    services = context.services
    replies = await staff_commands.run(
        services.desk, user.id, chat.id, name, args, services.clock()
    )
    services.dialog.outbox_written()
    await send_replies(context.bot, update, replies)


async def reply_to_card(update: Update, context: BotContext) -> None:
    """Staff replied to a case card: the text goes to the worker. Otherwise, a normal text."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None or message.reply_to_message is None:
        return
    services = context.services
    case_id = await services.desk.case_of_card(
        chat.id, message.reply_to_message.message_id, user.id
    )
    if case_id is None:
        if chat.type == "private":
            await worker.text(update, context)
        return
    replies = await staff_commands.run(
        services.desk,
        user.id,
        chat.id,
        "reply",
        message.text or "",
        services.clock(),
        reply_to_case=case_id,
    )
    services.dialog.outbox_written()
    await send_replies(context.bot, update, replies)
