"""The core's Notifier protocol, implemented over the Telegram Bot API."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.model import Button
from bot.outbox import MessageGone, RetryLater, TransientError, Unreachable
from handlers.render import inline_markup


def _seconds(exc: RetryAfter) -> float:
    """retry_after as seconds, whether PTB hands an int (v22 default) or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB announces the switch to timedelta
        retry = exc.retry_after
    return retry.total_seconds() if isinstance(retry, dt.timedelta) else float(retry)


class TelegramNotifier:
    """Maps Telegram's answers to the relay's three outcomes."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> int:
        markup = inline_markup(buttons)
        try:
            message = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc)) from exc
        except Forbidden as exc:
            raise Unreachable(exc.message) from exc
        except BadRequest as exc:
            # "chat not found" and friends will not get better by retrying.
            raise Unreachable(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientError(exc.__class__.__name__) from exc
        return message.message_id

    async def send_file(self, chat_id: int, kind: str, file_id: str, caption: str = "") -> int:
        senders = {
            "photo": self.bot.send_photo,
            "voice": self.bot.send_voice,
            "audio": self.bot.send_audio,
            "video": self.bot.send_video,
        }
        try:
            if kind == "video_note":
                message = await self.bot.send_video_note(chat_id, file_id)
            else:
                send = senders.get(kind, self.bot.send_document)
                message = await send(chat_id, file_id, caption=caption[:1000] or None)
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc)) from exc
        except Forbidden as exc:
            raise Unreachable(exc.message) from exc
        except BadRequest as exc:
            raise Unreachable(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientError(exc.__class__.__name__) from exc
        return message.message_id

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
            raise Unreachable(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientError(exc.__class__.__name__) from exc
