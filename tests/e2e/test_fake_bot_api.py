"""End-to-end tests: the real python-telegram-bot stack talking HTTP to FakeBotAPI."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hashlib
import warnings
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MessageOriginUser,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fake_bot_api import DOWNLOAD_METHOD, FakeBotAPI

TOKEN = "123456:TEST-token"
USER = 1001
OTHER_USER = 1002
STAFF = 2001
GROUP = -3001
WAIT = 5.0


def make_request(read_timeout: float = 2.0) -> HTTPXRequest:
    """An HTTPXRequest that never goes through an environment proxy."""
    return HTTPXRequest(
        connect_timeout=2.0,
        read_timeout=read_timeout,
        write_timeout=2.0,
        pool_timeout=2.0,
        httpx_kwargs={"trust_env": False},
    )


def make_bot(api: FakeBotAPI, token: str = TOKEN) -> Bot:
    """A telegram.Bot pointed at the fake."""
    return Bot(
        token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=make_request(),
        get_updates_request=make_request(),
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API server."""
    fake = FakeBotAPI(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.errors == []


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """An initialized Bot talking to the fake."""
    async with make_bot(api) as the_bot:
        yield the_bot


class Harness:
    """A real Application with echo, menu, button and photo handlers."""

    def __init__(self, api: FakeBotAPI) -> None:
        """Build the Application against the fake."""
        self.handled: list[Update] = []
        self.updates: asyncio.Queue[Update] = asyncio.Queue()
        self.errors: asyncio.Queue[BaseException] = asyncio.Queue()
        self.poll_errors: list[TelegramError] = []
        self.app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .request(make_request())
            .get_updates_request(make_request())
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self.record), group=-1)
        self.app.add_handler(CommandHandler("menu", self.menu))
        self.app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.echo))
        self.app.add_handler(MessageHandler(filters.PHOTO, self.photo))
        self.app.add_handler(CallbackQueryHandler(self.button))
        self.app.add_error_handler(self.on_error)

    async def record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remember every update handed to the Application."""
        self.handled.append(update)
        self.updates.put_nowait(update)

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Echo the text back."""
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    async def menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send a card with one button."""
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("认领", callback_data="claim:1")]])
        await update.effective_message.reply_text("新案件 #1", reply_markup=keyboard)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the query and edit the card in place."""
        query = update.callback_query
        assert query is not None
        await query.answer("已认领")
        await query.edit_message_text(f"已处理 {query.data}")

    async def photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Download the largest photo size and reply with its size and hash."""
        assert update.message is not None
        tg_file = await update.message.photo[-1].get_file()
        data = await tg_file.download_as_bytearray()
        await update.message.reply_text(f"{len(data)}:{hashlib.sha256(data).hexdigest()}")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Collect handler errors."""
        assert context.error is not None
        self.errors.put_nowait(context.error)

    async def next_update(self, predicate: Callable[[Update], bool]) -> Update:
        """Wait for the next handled update matching predicate."""

        async def find() -> Update:
            while True:
                update = await self.updates.get()
                if predicate(update):
                    return update

        return await asyncio.wait_for(find(), WAIT)

    def texts(self) -> list[str]:
        """Texts of handled message updates."""
        return [u.message.text for u in self.handled if u.message and u.message.text]


@contextlib.asynccontextmanager
async def running_app(api: FakeBotAPI) -> AsyncIterator[Harness]:
    """Run a Harness with polling and stop it gracefully afterwards."""
    harness = Harness(api)
    async with harness.app:
        await harness.app.start()
        assert harness.app.updater is not None
        await harness.app.updater.start_polling(
            poll_interval=0, timeout=1, error_callback=harness.poll_errors.append
        )
        try:
            yield harness
        finally:
            await harness.app.updater.stop()
            await harness.app.stop()


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after in seconds, whatever PTB_TIMEDELTA says."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ---------------------------------------------------------------------- Application level


async def test_initialize_calls_get_me_and_bootstrap(api: FakeBotAPI) -> None:
    """Application.initialize() hits getMe; polling bootstrap hits deleteWebhook."""
    async with running_app(api) as h:
        assert h.app.bot.username == api.bot_user["username"]
        assert h.app.bot.id == 123456
        await api.wait_for_call("deleteWebhook", timeout=WAIT)
        await api.wait_for_poll(timeout=WAIT)
    assert api.calls[0].method == "getMe"
    assert api.calls[0].status == 200
    with pytest.raises(InvalidToken):
        await make_bot(api, "999:wrong").get_me()
    assert api.calls[-1].status == 401
    async with make_bot(api) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendNothing", api_kwargs={"chat_id": USER})
    assert api.calls[-1].status == 404


async def test_echo_private_and_group(api: FakeBotAPI) -> None:
    """User messages are delivered and echoed; group chats have negative ids."""
    async with running_app(api) as h:
        incoming = api.user_message(USER, "你好 <world> & co")
        reply = await api.next_sent(USER, timeout=WAIT)
        assert reply["text"] == "你好 <world> & co"
        assert reply["from"]["id"] == api.bot_user["id"]
        assert reply["chat"] == {"id": USER, "type": "private", "first_name": "测试"}
        assert reply["message_id"] == incoming["message_id"] + 1

        api.user_message(STAFF, "值班", chat_id=GROUP, chat_type="group", first_name="Staff")
        group_reply = await api.next_sent(GROUP, timeout=WAIT)
        assert group_reply["chat"]["id"] == GROUP
        assert group_reply["chat"]["type"] == "group"
        assert group_reply["message_id"] == 2
    update = next(u for u in h.handled if u.effective_chat and u.effective_chat.id == GROUP)
    assert update.effective_user is not None
    assert update.effective_user.id == STAFF
    assert update.effective_user.first_name == "Staff"
    assert [m["text"] for m in api.sent()] == ["你好 <world> & co", "值班"]


async def test_command_entity_and_button_press_edits_in_place(api: FakeBotAPI) -> None:
    """/menu is routed by its bot_command entity; a press is answered and edited in place."""
    command = api.user_message(USER, "/menu")
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    async with running_app(api) as h:
        card = await api.next_sent(USER, timeout=WAIT)
        assert card["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "claim:1"

        query_id = api.press_button(USER, card, "claim:1")
        edited = await api.next_sent(USER, timeout=WAIT)
        assert edited["message_id"] == card["message_id"]
        assert edited["text"] == "已处理 claim:1"
        assert "edit_date" in edited
        assert "reply_markup" not in edited
        await api.wait_for_call("answerCallbackQuery", timeout=WAIT)
        assert api.callback_answers[query_id] == {"text": "已认领"}
        assert api.message(USER, card["message_id"]) == edited

        query = next(u.callback_query for u in h.handled if u.callback_query)
        assert query.chat_instance
        assert query.message is not None
        assert query.message.message_id == card["message_id"]

        bot = h.app.bot
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("unknown-id")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "已处理 claim:1", chat_id=USER, message_id=card["message_id"]
            )
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=USER, message_id=999)


async def test_blocked_user_and_unknown_chats(api: FakeBotAPI, bot: Bot) -> None:
    """Blocked users give Forbidden in the handler; unknown chats follow Telegram's rules."""
    async with running_app(api) as h:
        api.user_message(USER, "hi")
        await api.next_sent(USER, timeout=WAIT)
        api.block_user(USER)
        api.user_message(USER, "again")
        error = await asyncio.wait_for(h.errors.get(), WAIT)
        assert isinstance(error, Forbidden)
        assert "bot was blocked by the user" in str(error)

        member_update = api.my_chat_member(OTHER_USER, "kicked")
        assert member_update["new_chat_member"]["status"] == "kicked"
        handled = await h.next_update(lambda u: u.my_chat_member is not None)
        assert handled.my_chat_member is not None
        assert handled.my_chat_member.new_chat_member.status == "kicked"

    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(OTHER_USER, "x")
    api.my_chat_member(OTHER_USER, "member")
    assert (await bot.send_message(OTHER_USER, "welcome back")).text == "welcome back"

    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(777, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-555, "x")
    api.register_chat(777)
    api.register_chat(-555, type="supergroup", title="站点值班群")
    assert (await bot.send_message(777, "hello")).chat.first_name == "测试"
    assert (await bot.send_message(-555, "hello")).chat.title == "站点值班群"


async def test_photo_get_file_and_download(api: FakeBotAPI) -> None:
    """A user photo can be fetched with getFile and downloaded from base_file_url."""
    payload = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
    async with running_app(api) as h:
        message = api.user_photo(USER, caption="证据", data=payload)
        reply = await api.next_sent(USER, timeout=WAIT)
    assert reply["text"] == f"{len(payload)}:{hashlib.sha256(payload).hexdigest()}"
    get_file = api.calls_to("getFile")[0]
    assert get_file.params["file_id"] == message["photo"][-1]["file_id"]
    assert not get_file.result["file_path"].startswith("http")
    download = api.calls_to(DOWNLOAD_METHOD)[0]
    assert download.status == 200
    assert download.params["file_path"] == get_file.result["file_path"]
    photo_update = next(u for u in h.handled if u.message and u.message.photo)
    assert photo_update.message is not None
    assert photo_update.message.caption == "证据"
    assert len({size["file_unique_id"] for size in message["photo"]}) == 2


async def test_graceful_restart_loses_nothing_and_redelivers_nothing(api: FakeBotAPI) -> None:
    """A graceful stop confirms every fetched update; a second Application sees only new ones."""
    first_batch = ["one", "two", "three"]
    async with running_app(api) as first:
        for text in first_batch:
            api.user_message(USER, text)
        for text in first_batch:
            assert (await api.next_sent(USER, timeout=WAIT))["text"] == text
    assert api.pending_updates == []
    cleanup_polls = [c for c in api.calls_to("getUpdates") if c.params.get("timeout") == 0]
    assert [c.status for c in cleanup_polls] == [200]
    assert cleanup_polls[0].params["offset"] == api.sent(USER)[-1]["message_id"] // 2 + 1

    second_batch = ["four", "five"]
    for text in second_batch:
        api.user_message(USER, text)
    async with running_app(api) as second:
        for text in second_batch:
            assert (await api.next_sent(USER, timeout=WAIT))["text"] == text
    assert api.pending_updates == []
    assert first.texts() == first_batch
    assert second.texts() == second_batch
    assert [m["text"] for m in api.sent(USER)] == first_batch + second_batch
    delivered = [
        u["update_id"] for c in api.calls_to("getUpdates") if c.status == 200 for u in c.result
    ]
    assert len(delivered) == len(set(delivered)) == 5


async def test_poller_recovers_from_502(api: FakeBotAPI) -> None:
    """A 502 on getUpdates reaches error_callback as NetworkError and polling carries on."""
    api.inject("getUpdates", "502")
    async with running_app(api) as h:
        api.user_message(USER, "still there?")
        assert (await api.next_sent(USER, timeout=WAIT))["text"] == "still there?"
    assert len(h.poll_errors) == 1
    assert type(h.poll_errors[0]) is NetworkError
    assert "Bad Gateway" in str(h.poll_errors[0])


# ---------------------------------------------------------------------- Bot level: faults


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_on_429(api: FakeBotAPI, bot: Bot) -> None:
    """An injected 429 raises RetryAfter with the injected retry_after, once."""
    api.register_chat(USER)
    api.inject("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "flood")
    assert retry_seconds(caught.value) == 7
    assert (await bot.send_message(USER, "after")).text == "after"
    assert [c.status for c in api.calls_to("sendMessage")] == [429, 200]
    assert [m["text"] for m in api.sent(USER)] == ["after"]


async def test_server_side_faults(api: FakeBotAPI, bot: Bot) -> None:
    """5xx, dropped connections, malformed bodies, forbidden, migrate and match predicates."""
    api.register_chat(USER)
    api.register_chat(GROUP, type="group")

    api.inject("sendMessage", "502")
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway") as caught:
        await bot.send_message(USER, "x")
    assert not isinstance(caught.value, BadRequest | TimedOut)

    api.inject("sendMessage", "500")
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.send_message(USER, "x")

    api.inject("sendMessage", "drop")
    with pytest.raises(NetworkError, match=r"(?i)httpx") as dropped:
        await bot.send_message(USER, "x")
    assert not isinstance(dropped.value, TimedOut)

    api.inject("sendMessage", "malformed")
    with pytest.raises(TelegramError, match=r"(?i)Invalid server response"):
        await bot.send_message(USER, "x")

    api.inject("sendMessage", "parse_entities")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "x")

    api.inject("sendMessage", "migrate")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(GROUP, "x")
    new_id = migrated.value.new_chat_id
    assert new_id < -1_000_000_000_000
    assert (await bot.send_message(new_id, "moved")).chat.type == "supergroup"

    api.register_chat(5)
    api.register_chat(6)
    api.inject("sendMessage", "forbidden", times=2, match=lambda p: p.get("chat_id") == 5)
    assert (await bot.send_message(6, "ok")).chat_id == 6
    for _ in range(2):
        with pytest.raises(Forbidden, match=r"(?i)blocked"):
            await bot.send_message(5, "x")
    assert (await bot.send_message(5, "ok")).chat_id == 5
    statuses = [c.status for c in api.calls_to("sendMessage")]
    assert statuses == [502, 500, 0, 200, 400, 400, 200, 200, 403, 403, 200]
    assert [m["text"] for m in api.sent()] == ["moved", "ok", "ok"]


async def test_timed_out_but_delivered(api: FakeBotAPI, bot: Bot) -> None:
    """A slow server makes PTB raise TimedOut although the message was stored."""
    api.register_chat(USER)
    api.inject("sendMessage", "timeout", delay=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.1)
    stored = await api.next_sent(USER, timeout=WAIT)
    assert stored["text"] == "slow"
    assert api.message(USER, stored["message_id"]) == stored
    call = await api.wait_for_call("sendMessage", timeout=WAIT)
    assert call.status == 200


async def test_bad_html_and_text_limits(api: FakeBotAPI, bot: Bot) -> None:
    """HTML is validated like Telegram does; entities use UTF-16 offsets."""
    api.register_chat(USER)
    bad = [
        "1 < 2",
        "AT&T",
        "<b>bold",
        "<b>x</i>",
        "x</b>",
        "<script>x</script>",
        '<span class="x">y</span>',
        "<b",
    ]
    for text in bad:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(USER, text, parse_mode=ParseMode.HTML)

    good = (
        '😀<b>粗</b> &lt;ok&gt; &amp; <a href="https://e.org/?a=1&amp;b=2">链接</a> '
        '<span class="tg-spoiler">s</span><pre><code class="language-py">x</code></pre>'
    )
    message = await bot.send_message(USER, good, parse_mode=ParseMode.HTML)
    assert message.text == "😀粗 <ok> & 链接 sx"
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    assert kinds == [("bold", 2, 1), ("text_link", 11, 2), ("spoiler", 14, 1), ("pre", 15, 1)]
    assert message.entities[1].url == "https://e.org/?a=1&b=2"
    assert message.entities[3].language == "py"

    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "长" * 4097)
    assert (await bot.send_message(USER, "长" * 4096)).text == "长" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "<b></b>", parse_mode=ParseMode.HTML)


async def test_reply_markup_validation(api: FakeBotAPI, bot: Bot) -> None:
    """callback_data must be 1..64 UTF-8 bytes and a keyboard holds at most 100 buttons."""
    api.register_chat(USER)

    def markup(data: str, count: int = 1) -> InlineKeyboardMarkup:
        row = [InlineKeyboardButton(str(i), callback_data=data) for i in range(count)]
        return InlineKeyboardMarkup([row])

    for data in ["x" * 65, "认" * 22]:
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(USER, "pick", reply_markup=markup(data))
    ok = await bot.send_message(USER, "pick", reply_markup=markup("认" * 21))
    assert ok.reply_markup is not None
    assert ok.reply_markup.inline_keyboard[0][0].callback_data == "认" * 21
    with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
        await bot.send_message(USER, "pick", reply_markup=markup("d", 101))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, ok.message_id, reply_markup=ok.reply_markup)
    await bot.edit_message_reply_markup(USER, ok.message_id)
    assert "reply_markup" not in (api.message(USER, ok.message_id) or {})


# ---------------------------------------------------------------------- Bot level: API surface


async def test_get_updates_offset_limit_long_poll_and_conflict(api: FakeBotAPI, bot: Bot) -> None:
    """Offsets confirm, limit caps, long polls wake on updates, overlapping polls conflict."""
    for text in ["a", "b", "c"]:
        api.user_message(USER, text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["a", "b", "c"]
    assert len(await bot.get_updates()) == 3
    assert len(await bot.get_updates(limit=1)) == 1
    assert [u.update_id for u in await bot.get_updates(offset=updates[1].update_id)] == [
        updates[1].update_id,
        updates[2].update_id,
    ]
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert api.pending_updates == []
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=100)) == ()

    poll = asyncio.create_task(bot.get_updates(timeout=WAIT))
    await api.wait_for_poll(timeout=WAIT)
    api.user_message(USER, "wake up")
    woken = await asyncio.wait_for(poll, WAIT)
    assert [u.message.text for u in woken if u.message] == ["wake up"]

    async with make_bot(api) as second:
        first_poll = asyncio.create_task(
            bot.get_updates(offset=woken[-1].update_id + 1, timeout=3)
        )
        await api.wait_for_poll(timeout=WAIT)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
            await asyncio.wait_for(first_poll, WAIT)

    for text in ["x", "y", "z"]:
        api.user_message(USER, text)
    assert [u.message.text for u in await bot.get_updates(offset=-1) if u.message] == ["z"]
    assert len(api.pending_updates) == 1
    api.user_message(USER, "dropped")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert api.pending_updates == []


async def test_update_shapes_parse_in_ptb(api: FakeBotAPI, bot: Bot) -> None:
    """Every update kind the control API makes is accepted by PTB's de_json."""
    original = api.user_message(USER, "原文")
    api.edited_message(USER, original, "修改后")
    api.user_location(USER, 31.2304, 121.4737)
    api.user_contact(USER, "+8613800000000", contact_user_id=USER)
    api.user_document(USER, "合同.pdf", b"%PDF-1.4 fake", mime_type="application/pdf")
    api.user_message(USER, "/start@fake_test_bot 参数", reply_to=original)
    api.press_button(USER, original, "forged:999")
    api.my_chat_member(USER, "kicked")
    api.user_message(STAFF, "群消息", chat_id=GROUP, chat_type="group")
    updates = await bot.get_updates()
    assert len(updates) == 9
    edited = updates[1].edited_message
    assert edited is not None
    assert edited.text == "修改后"
    assert edited.edit_date is not None
    location = updates[2].message.location if updates[2].message else None
    assert location is not None
    assert location.latitude == pytest.approx(31.2304)
    contact = updates[3].message.contact if updates[3].message else None
    assert contact is not None
    assert contact.user_id == USER
    document = updates[4].message.document if updates[4].message else None
    assert document is not None
    assert document.file_name == "合同.pdf"
    assert await (await document.get_file()).download_as_bytearray() == b"%PDF-1.4 fake"
    command = updates[5].message
    assert command is not None
    assert command.entities[0].length == len("/start@fake_test_bot")
    assert command.reply_to_message is not None
    assert command.reply_to_message.message_id == original["message_id"]
    query = updates[6].callback_query
    assert query is not None
    assert query.data == "forged:999"
    assert query.message is not None
    assert query.message.text == "修改后"
    member = updates[7].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    group_message = updates[8].message
    assert group_message is not None
    assert group_message.chat.id == GROUP
    assert group_message.from_user is not None
    assert group_message.from_user.id == STAFF


async def test_media_commands_and_message_methods(api: FakeBotAPI, bot: Bot) -> None:
    """Uploads, file_id reuse, getFile, copy/forward, location/venue, commands, delete."""
    api.register_chat(USER)
    api.register_chat(GROUP, type="group")
    photo_bytes = b"\x89PNG\r\n\x1a\n" + b"p" * 100
    sent_photo = await bot.send_photo(USER, photo_bytes, caption="<b>图</b>", parse_mode="HTML")
    assert sent_photo.caption == "图"
    largest = sent_photo.photo[-1]
    again = await bot.send_photo(GROUP, largest.file_id)
    assert again.photo[-1].file_unique_id == largest.file_unique_id
    tg_file = await bot.get_file(largest.file_id)
    assert tg_file.file_path is not None
    assert tg_file.file_path.startswith(f"{api.base_file_url}{TOKEN}/photos/")
    assert await tg_file.download_as_bytearray() == photo_bytes
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(USER, "nope")

    document = await bot.send_document(
        USER, InputFile(b"a,b\n1,2\n", filename="表.csv"), caption="数据"
    )
    assert document.document is not None
    assert document.document.file_name == "表.csv"
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(USER, document.document.file_id, caption="c" * 1025)

    location = await bot.send_location(USER, 31.2, 121.4)
    assert location.location is not None
    venue = await bot.send_venue(USER, 31.2, 121.4, title="工会站", address="上海")
    assert venue.venue is not None
    assert venue.venue.title == "工会站"
    with pytest.raises(BadRequest):
        await bot.send_location(USER, 91, 0)
    assert await bot.send_chat_action(USER, "typing")

    copied = await bot.copy_message(GROUP, USER, document.message_id)
    assert api.message(GROUP, copied.message_id)["document"]["file_name"] == "表.csv"
    forwarded = await bot.forward_message(GROUP, USER, venue.message_id)
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(GROUP, USER, 999)

    assert await bot.set_my_commands([("start", "开始"), ("help", "帮助")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert api.commands()[0] == {"command": "start", "description": "开始"}
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Command", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    assert await bot.delete_message(USER, location.message_id)
    assert api.message(USER, location.message_id) is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, location.message_id)
    message_ids = [m["message_id"] for m in api.sent(USER)]
    assert message_ids == list(range(1, len(message_ids) + 1))
