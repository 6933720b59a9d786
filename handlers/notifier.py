"""The core's Notifier protocol, implemented over the Telegram Bot API."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.model import Button, split_message
from bot.outbox import MessageGone, Rejected, RetryLater, TransientError, Unreachable
from handlers.render import inline_markup


def _seconds(exc: RetryAfter) -> float:
    """retry_after as seconds, whether PTB hands an int (v22 default) or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB announces the switch to timedelta
        retry = exc.retry_after
    return retry.total_seconds() if isinstance(retry, dt.timedelta) else float(retry)


T = TypeVar("T")

# Telegram's words for a chat that is gone; any other 400 is a problem with the message.
_GONE = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


def _refused(exc: BadRequest) -> Exception:
    """A 400: the chat is gone (never retry, mark unreachable) or the message was refused
    (e.g. too long: dead, but the person stays reachable)."""
    message = exc.message.lower()
    if any(g in message for g in _GONE):
        return Unreachable(exc.message)
    return Rejected(exc.message)


async def _telegram(call: Awaitable[T]) -> T:
    """Await one Bot API call, mapping Telegram's errors to the relay's outcomes."""
    try:
        return await call
    except RetryAfter as exc:
        raise RetryLater(_seconds(exc)) from exc
    except Forbidden as exc:
        raise Unreachable(exc.message) from exc
    except BadRequest as exc:
        raise _refused(exc) from exc
    except (TimedOut, NetworkError) as exc:
        raise TransientError(exc.__class__.__name__) from exc


class TelegramNotifier:
    """Maps Telegram's answers to the relay's three outcomes."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> int:
        """Send `text` (in parts if longer than Telegram allows; buttons on the last part)."""
        parts = split_message(text)
        message_id = 0
        for number, part in enumerate(parts, 1):
            markup = inline_markup(buttons) if number == len(parts) else None
            message = await _telegram(self.bot.send_message(chat_id, part, reply_markup=markup))
            message_id = message.message_id
        return message_id

    async def send_file(self, chat_id: int, kind: str, file_id: str, caption: str = "") -> int:
        senders = {
            "photo": self.bot.send_photo,
            "voice": self.bot.send_voice,
            "audio": self.bot.send_audio,
            "video": self.bot.send_video,
        }
        if kind == "video_note":
            message = await _telegram(self.bot.send_video_note(chat_id, file_id))
        else:
            send = senders.get(kind, self.bot.send_document)
            message = await _telegram(send(chat_id, file_id, caption=caption[:1000] or None))
        return message.message_id

    async def set_menu(self, chat_id: int, commands: Sequence[tuple[str, str]]) -> None:
        menu = [BotCommand(name, about) for name, about in commands]
        await _telegram(self.bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id)))

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> None:
        markup = inline_markup(buttons)
        try:
            await self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc)) from exc
        except Forbidden as exc:
            raise Unreachable(exc.message) from exc
        except BadRequest as exc:
            if "not modified" in exc.message:
                return  # the card already shows this state: the edit is idempotent
            if "not found" in exc.message or "can't be edited" in exc.message:
                raise MessageGone(exc.message) from exc
            raise _refused(exc) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientError(exc.__class__.__name__) from exc
