"""build_application(settings, services): every Telegram handler is registered here."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import staff_commands
from bot.services import Services
from bot.settings import Settings
from handlers import errors, staff, worker
from handlers.context import BotContext
from handlers.notifier import TelegramNotifier

RELAY_INTERVAL_S = 2.0
ESCALATION_INTERVAL_S = 60.0

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "主菜单"),
    BotCommand("help", "使用说明"),
    BotCommand("law", "查看法条，例如 /law 劳动合同法 82"),
    BotCommand("privacy", "隐私说明"),
]


def build_application(
    settings: Settings, services: Services, *, trust_env: bool = True
) -> Application:
    """The PTB Application wired to `services`; `trust_env=False` ignores proxy variables."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    httpx_kwargs = {"trust_env": trust_env}
    builder = (
        Application.builder()
        .token(settings.token)
        .context_types(ContextTypes(context=BotContext))
        .request(HTTPXRequest(connection_pool_size=16, httpx_kwargs=httpx_kwargs))
        .get_updates_request(HTTPXRequest(httpx_kwargs=httpx_kwargs))
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
        file_url = settings.telegram_base_file_url or settings.telegram_base_url.replace(
            "/bot", "/file/bot"
        )
        builder = builder.base_file_url(file_url)
    application = builder.build()
    application.bot_data["services"] = services
    # httpx logs request URLs, which contain the token, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # Note: order matters; the first matching handler in a group wins.
    application.add_handlers(
        [
            CallbackQueryHandler(staff.claim_case, pattern=r"^case:claim:(\d{1,10})$"),
            CommandHandler(list(staff_commands.COMMANDS), staff.command, filters=groups),
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.REPLY & filters.TEXT & ~filters.COMMAND,
                staff.reply_to_card,
            ),
            CommandHandler(
                ["start", "help", "law", "privacy", "menu", "cancel"],
                worker.command,
                filters=private,
            ),
            CallbackQueryHandler(worker.button),
            MessageHandler(private & filters.LOCATION, worker.location),
            MessageHandler(private & (filters.PHOTO | filters.Document.ALL), worker.attachment),
            MessageHandler(
                private & (filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE),
                worker.voice,
            ),
            MessageHandler(
                private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                worker.text,
            ),
            MessageHandler(private & filters.COMMAND, worker.command),
            # Stickers, contacts, polls …: an answer too. Edited messages are not answers
            # to the current step, so they are left alone.
            MessageHandler(private & filters.UpdateType.MESSAGE, worker.other),
            ChatMemberHandler(worker.membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(errors.on_error)

    # Notifications: a periodic relay over the outbox table, nudged right after a commit
    # that wrote one, so alerts go out at once and none is lost across restarts.
    job_queue = application.job_queue
    if job_queue is not None:
        job_queue.run_repeating(
            relay_outbox, interval=RELAY_INTERVAL_S, first=1.0, name="outbox-relay"
        )
        services.dialog.on_outbox = lambda: job_queue.run_once(relay_outbox, 0)
        job_queue.run_repeating(
            sweep_escalations, interval=ESCALATION_INTERVAL_S, first=5.0, name="escalation-sweeper"
        )
    return application


async def sweep_escalations(context: BotContext) -> None:
    """Escalate cases past their SLA; state lives in the database, so restarts are safe."""
    services = context.services
    escalated = await services.escalation.escalate_overdue(services.clock())
    if escalated:
        await relay_outbox(context)


async def relay_outbox(context: BotContext) -> None:
    """Send due notifications."""
    services = context.services
    report = await services.relay.run_once(TelegramNotifier(context.bot), services.clock())
    if report.sent or report.retried or report.dead:
        logger.info("outbox relay: %s", report)


async def configure_bot(application: Application) -> None:
    """Publish the command menu (run on start; harmless to repeat)."""
    await application.bot.set_my_commands(COMMANDS)


def _polling_error(error: Exception) -> None:
    logger.warning("polling error: %s", error.__class__.__name__)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGINT/SIGTERM (or `stop` is set), then shut down gracefully."""
    services = await Services.create(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        application = build_application(settings, services)
        async with application:
            await configure_bot(application)
            await application.updater.start_polling(  # type: ignore[union-attr]
                allowed_updates=Update.ALL_TYPES, error_callback=_polling_error
            )
            await application.start()
            me = application.bot.username
            logger.info("bot @%s is running", me)
            await stop.wait()
            logger.info("stopping")
            await application.updater.stop()  # type: ignore[union-attr]
            await application.stop()
    finally:
        await services.aclose()


def run_telegram(settings: Settings) -> int:
    asyncio.run(serve(settings))
    return 0
