"""Telegram adapters. PTB v22 warns that RetryAfter.retry_after becomes a timedelta in v23;
opt in now (the notifier reads both forms) so the switch changes nothing."""

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")
