"""The intake as a PTB ConversationHandler; every step is decided by bot.intake.

The conversation's own state is only a routing hint kept in memory: the truth is the
worker's dialog state in the database, so after a restart the plain handlers in
handlers/worker.py continue the same intake.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.intake import STATE
from handlers import worker
from handlers.context import BotContext

FILLING = 1


async def _next_state(update: Update, context: BotContext) -> int:
    user = update.effective_user
    if user is None:
        return ConversationHandler.END
    state = await context.services.dialog.state_of(user.id)
    return FILLING if state == STATE else ConversationHandler.END


async def begin(update: Update, context: BotContext) -> int:
    """The worker pressed 我要求助."""
    await worker.button(update, context)
    return await _next_state(update, context)


async def answer(update: Update, context: BotContext) -> int:
    """An answer to the current intake step: a button, text, location, photo or file."""
    if update.callback_query is not None:
        await worker.button(update, context)
    elif update.effective_message is not None and update.effective_message.location:
        await worker.location(update, context)
    elif update.effective_message is not None and (
        update.effective_message.photo or update.effective_message.document
    ):
        await worker.attachment(update, context)
    else:
        await worker.text(update, context)
    return await _next_state(update, context)


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel during the intake."""
    await worker.command(update, context)
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    private = filters.ChatType.PRIVATE
    step_messages = private & (
        (filters.TEXT & ~filters.COMMAND) | filters.LOCATION | filters.PHOTO | filters.Document.ALL
    )
    with warnings.catch_warnings():
        # per_message=False is what we want: one intake per (chat, user), buttons included.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(begin, pattern=r"^m:help$")],
            states={
                FILLING: [
                    CallbackQueryHandler(answer, pattern=r"^i:"),
                    MessageHandler(step_messages, answer),
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel, filters=private)],
            name="intake",
            allow_reentry=True,
        )
