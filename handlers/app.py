"""build_application(settings, services): every Telegram handler is registered here."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import time as dt_time
from datetime import timedelta, timezone

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import menus, staff_commands
from bot.services import Services
from bot.settings import Settings
from handlers import errors, processing, staff, worker
from handlers.context import BotContext
from handlers.notifier import TelegramNotifier
from handlers.processing import ChatOrderedProcessor
from storage import repositories as repo

RELAY_INTERVAL_S = 2.0
KB_WATCH_INTERVAL_S = 5.0
CHINA = timezone(timedelta(hours=8))
INBOX_KEEP = timedelta(days=7)  # Telegram keeps undelivered updates for 24 hours
ESCALATION_INTERVAL_S = 60.0

logger = logging.getLogger(__name__)

COMMANDS = [BotCommand(name, about) for name, about in menus.WORKER]


def build_application(
    settings: Settings, services: Services, *, trust_env: bool = True, webhook: bool = False
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
        # Different chats at once, one chat in order: a slow call never delays other users.
        .concurrent_updates(ChatOrderedProcessor())
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
        file_url = settings.telegram_base_file_url or settings.telegram_base_url.replace(
            "/bot", "/file/bot"
        )
        builder = builder.base_file_url(file_url)
    if webhook:
        builder = builder.updater(None)  # updates arrive on the ASGI app
    application = builder.build()
    application.bot_data["services"] = services
    # httpx logs request URLs, which contain the token, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # First of all: each update once (inbox), and floods answered once.
    application.add_handler(TypeHandler(Update, processing.seen_before), group=-1)
    application.add_handler(TypeHandler(Update, processing.handled), group=99)
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
        hour, _, minute = services.settings.digest_time.partition(":")
        job_queue.run_daily(
            send_digest,
            time=dt_time(int(hour), int(minute or 0), tzinfo=CHINA),
            name="daily-digest",
        )
        job_queue.run_repeating(
            watch_knowledge,
            interval=KB_WATCH_INTERVAL_S,
            first=KB_WATCH_INTERVAL_S,
            name="kb-watch",
        )
    return application


async def send_digest(context: BotContext) -> None:
    """The admins' daily early-warning digest (once per date, whatever the instances)."""
    from bot.digest import queue_digest

    services = context.services
    sent = await queue_digest(
        services.sessions, services.stations, tuple(services.settings.admin_ids), services.clock()
    )
    logger.info("daily digest queued for %s admins", sent)
    await relay_outbox(context)


async def watch_knowledge(context: BotContext) -> None:
    """An admin's FAQ edit on any instance reaches this one within a few seconds."""
    if await context.services.kb.refresh_if_changed():
        logger.info("knowledge base changed elsewhere: index rebuilt")


async def sweep_escalations(context: BotContext) -> None:
    """Escalate cases past their SLA; state lives in the database, so restarts are safe."""
    services = context.services
    now = services.clock()
    async with services.sessions.begin() as session:
        await repo.forget_updates_before(session, now - INBOX_KEEP)
    escalated = await services.escalation.escalate_overdue(now)
    if escalated:
        await relay_outbox(context)


async def relay_outbox(context: BotContext) -> None:
    """Send due notifications."""
    services = context.services
    report = await services.relay.run_once(TelegramNotifier(context.bot), services.clock())
    if report.sent or report.retried or report.dead:
        logger.info("outbox relay: %s", report)


async def configure_bot(application: Application) -> None:
    """Publish the workers' command menu, and each staff member's and admin's own (run on
    start; harmless to repeat)."""
    await application.bot.set_my_commands(COMMANDS)
    services: Services = application.bot_data["services"]
    for user_id, role in await services.desk.menu_holders():
        commands = [BotCommand(name, about) for name, about in menus.commands_for(role)]
        try:
            await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:  # a staff member who never opened the chat
            logger.info("menu for %s not set: %s", user_id, exc.__class__.__name__)


def _polling_error(error: Exception) -> None:
    logger.warning("polling error: %s", error.__class__.__name__)


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    webhook: str | None = None,
    listen: str = "127.0.0.1:8080",
) -> None:
    """Run the bot until SIGINT/SIGTERM (or `stop` is set), then shut down gracefully:
    long polling by default, or behind a webhook on one ASGI app (`webhook` = public URL)."""
    services = await Services.create(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        application = build_application(settings, services, webhook=webhook is not None)
        async with application:
            await configure_bot(application)
            if webhook is None:
                await application.updater.start_polling(  # type: ignore[union-attr]
                    allowed_updates=Update.ALL_TYPES, error_callback=_polling_error
                )
            await application.start()
            logger.info("bot @%s is running", application.bot.username)
            if webhook is None:
                await stop.wait()
                logger.info("stopping")
                await application.updater.stop()  # type: ignore[union-attr]
            else:
                await _serve_webhook(application, services, settings, webhook, listen, stop)
            await application.stop()
    finally:
        await services.aclose()


async def _serve_webhook(
    application: Application,
    services: Services,
    settings: Settings,
    url: str,
    listen: str,
    stop: asyncio.Event,
) -> None:
    from handlers import webhook as hook

    secret = settings.webhook_secret_value()
    host, _, port = listen.rpartition(":")
    await application.bot.set_webhook(
        url=url.rstrip("/") + hook.WEBHOOK_PATH,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
        max_connections=40,
    )
    await hook.requeue_received(application, services)
    web = hook.server(hook.asgi_app(application, services, secret), host or "127.0.0.1", int(port))
    serving = asyncio.create_task(web.serve())
    await stop.wait()
    logger.info("stopping")
    web.should_exit = True
    await serving


def run_telegram(
    settings: Settings, *, webhook: str | None = None, listen: str = "127.0.0.1:8080"
) -> int:
    asyncio.run(serve(settings, webhook=webhook, listen=listen))
    return 0
