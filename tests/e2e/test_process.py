"""The production entry point as a real process: `python main.py run` against the fake Bot
API, answering, then stopping gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.e2e.conftest import TOKEN
from tests.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]


async def test_main_run_serves_telegram_and_stops_on_sigterm(
    fake_api: FakeBotAPI, database: tuple[str, str | None], laws_dir: Path
) -> None:
    url, schema = database
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake_api.base_url,
        "TELEGRAM_BASE_FILE_URL": fake_api.base_file_url,
        "DATABASE_URL": url,
        "LAWS_DIR": str(laws_dir),
        "LOG_LEVEL": "INFO",
    }
    if schema:
        env["DATABASE_SCHEMA"] = schema
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "main.py",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_api.wait_for_call("getUpdates", timeout=60)
        fake_api.user_message(31337, "/start")
        menu = await fake_api.next_sent(31337, timeout=20)
        assert "常见问题" in str(menu.get("reply_markup"))
        fake_api.user_message(31337, "包工头跑路了，工钱找谁要")
        answer = await fake_api.next_sent(31337, timeout=20)
        assert "依据：《" in answer["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode("utf-8", "replace")
    assert process.returncode == 0, log[-2000:]
    assert "stopping" in log
    assert TOKEN not in log
    # The graceful stop confirmed what it had fetched: nothing is left to re-deliver.
    assert fake_api.pending_updates == []
