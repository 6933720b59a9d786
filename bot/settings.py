"""Settings: the one place that reads environment variables (and `.env`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration of one bot instance; every field has a local default."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: SecretStr | None = Field(default=None)
    telegram_base_url: str | None = Field(
        default=None, description="Self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot"
    )
    telegram_base_file_url: str | None = None
    # Webhook mode: the secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token. Left
    # unset, one is derived from the bot token (every instance of one bot derives the same).
    webhook_secret: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/labor_aid.db"
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema (search_path) to keep the tables in"
    )
    laws_dir: Path = ROOT.parent / "shared" / "laws"
    faq_dir: Path = ROOT / "knowledge" / "faq"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"

    # Service levels before escalation (defaults: urgent 15 minutes, normal 1 working day).
    sla_urgent_minutes: int = 15
    sla_normal_working_days: int = 1

    # The admins' daily early-warning digest, China Standard Time (HH:MM).
    digest_time: str = "08:30"

    # How long closed cases are kept (stated in the consent notice).
    case_retention_years: int = 3

    # Confidence gate (scores are calibrated to 0..1). Unset, the thresholds that `kb train`
    # chose on held-out data are used (answered precision >= 0.95); without a model bundle,
    # 0.55 / 0.30.
    answer_threshold: float | None = None
    suggest_threshold: float | None = None

    # The learned models (`python main.py kb train`); retrained at start-up when missing or
    # trained on other data.
    model_path: Path = ROOT / "data" / "models" / "models.joblib"

    # Locally varying figures. Left empty, answers tell the worker to check the local standard
    # rather than showing an invented number.
    local_region: str = ""
    local_min_wage_monthly: int | None = None
    local_min_wage_hourly: float | None = None
    local_avg_wage_monthly: int | None = None

    def webhook_secret_value(self) -> str:
        """The webhook secret (A-Z, a-z, 0-9, _ and -, as Telegram requires)."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        if self.token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        import hashlib

        return hashlib.sha256(("webhook:" + self.token).encode()).hexdigest()[:48]

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("laws_dir", "faq_dir", "model_path", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value if value.is_absolute() else (Path.cwd() / value)

    @property
    def token(self) -> str | None:
        """The bot token in clear, for the Telegram front end only."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
