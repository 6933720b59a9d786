"""Logging set-up: one format, quiet HTTP libraries, bot tokens redacted everywhere."""

from __future__ import annotations

import logging
import re
from typing import TextIO

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    text = _TOKEN.sub("<token>", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<token>")
    return text


class RedactingFormatter(logging.Formatter):
    """Masks bot tokens in the whole formatted record, tracebacks included."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def setup_logging(
    level: str = "INFO", secrets: tuple[str, ...] = (), stream: TextIO | None = None
) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    # PTB logs whole updates (message text, names, phone numbers) at DEBUG: never go below INFO.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
    for noisy in ("httpx", "httpcore", "apscheduler", "jieba", "aiosqlite", "asyncio", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
