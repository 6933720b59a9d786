"""The one error handler: log ids (never message text), tell the user something useful."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot import texts
from handlers.context import BotContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log first, then apologise to the user if there is one."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        logger.info("update %s: bot blocked (%s)", update_id, error.__class__.__name__)
        return
    if isinstance(error, NetworkError) and update is None:
        logger.warning("polling network error: %s", error.__class__.__name__)
        return
    logger.error("update %s failed: %s", update_id, error.__class__.__name__, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except TelegramError:
            logger.warning("could not tell chat about the error")
