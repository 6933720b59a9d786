"""Fake Telegram Bot API HTTP server for end-to-end tests of python-telegram-bot bots."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]
Params = dict[str, Any]

_LOGGER = logging.getLogger(__name__)

FAULT_KINDS = frozenset(
    {"429", "500", "502", "timeout", "drop", "parse_entities", "forbidden", "malformed", "migrate"}
)
DOWNLOAD_METHOD = "downloadFile"
"""Pseudo method name under which file downloads are recorded (and can get faults)."""

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
MAX_MARKUP_BYTES = 10 * 1024
MAX_UPLOAD_BYTES = 50_000_000
MAX_DOWNLOAD_BYTES = 20_000_000

_DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields that PTB sends verbatim (strings are never JSON-encoded by PTB).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "action",
        "title",
        "address",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "file_id",
        "url",
        "photo",
        "document",
        "thumbnail",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "emoji",
        "secret_token",
        "description",
        "short_description",
        "name",
        "query",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_HTML_CHAR_REF = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_HTML_ATTR = re.compile(
    r"""([a-zA-Z_:][a-zA-Z0-9_:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_BOT_COMMAND = re.compile(r"/[^\s]+")
_CONTENT_KEYS = (
    "text",
    "entities",
    "photo",
    "document",
    "caption",
    "caption_entities",
    "location",
    "venue",
    "contact",
)
_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class ApiError(Exception):
    """A Bot API error that is answered with a real HTTP status code."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        """Store the status, the description and the optional response parameters."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        """Return the JSON error object Telegram would send."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class HtmlParseError(ValueError):
    """Raised by parse_html for text Telegram would reject."""


@dataclass
class RecordedCall:
    """One request seen by the fake (status 0: connection dropped, 499: client went away)."""

    method: str
    params: Params
    status: int
    time: float
    files: dict[str, str] = field(default_factory=dict)
    result: Any = None


@dataclass
class Fault:
    """A fault queued for one method."""

    kind: str
    times: int
    retry_after: int = 1
    delay: float = 0.0
    match: Callable[[Params], bool] | None = None
    migrate_to_chat_id: int | None = None


@dataclass
class _Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str | None
    data: bytes


@dataclass
class _StoredFile:
    """A file known to the fake, downloadable via getFile."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    kind: str
    obj: Any


@dataclass
class _Reply:
    """A raw HTTP reply."""

    status: int
    body: bytes
    content_type: str


@dataclass
class _Poll:
    """A getUpdates request that is currently long-polling."""

    request: web.Request
    task: asyncio.Task[Any] | None
    conflict: bool = False


@dataclass
class _OpenTag:
    """An HTML start tag waiting for its end tag."""

    name: str
    offset: int
    attrs: dict[str, str]
    byte_offset: int
    language: str | None = None


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units (Telegram's entity unit)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a character index."""
    return len(text[:index].encode("utf-8"))


def parse_html(src: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into plain text and entities (UTF-16 offsets)."""
    out: list[str] = []
    pos = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch == "&":
            ref = _HTML_CHAR_REF.match(src, i)
            if ref is None:
                raise HtmlParseError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(src, i)}"
                )
            if ref.group(1):
                decoded = _HTML_NAMED[ref.group(1)]
            else:
                code = int(ref.group(2)) if ref.group(2) else int(ref.group(3), 16)
                if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise HtmlParseError(
                        f"Invalid HTML entity at byte offset {_byte_offset(src, i)}"
                    )
                decoded = chr(code)
            out.append(decoded)
            pos += utf16_len(decoded)
            i = ref.end()
            continue
        if ch != "<":
            out.append(ch)
            pos += utf16_len(ch)
            i += 1
            continue
        boff = _byte_offset(src, i)
        if src.startswith("</", i):
            end = src.find(">", i)
            if end == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {boff}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {boff}")
            top = stack.pop()
            if name != top.name:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {boff}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            _close_html_tag(top, pos, stack, entities)
            i = end + 1
            continue
        tag = _HTML_TAG_NAME.match(src, i + 1)
        name = tag.group(0).lower() if tag else ""
        if tag is None or name not in _HTML_ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {boff}')
        j = tag.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {boff}')
            if src[j] == ">":
                break
            attr = _HTML_ATTR.match(src, j)
            if attr is None:
                raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {boff}')
            value = next((g for g in attr.group(2, 3, 4) if g is not None), "")
            attrs[attr.group(1).lower()] = html.unescape(value)
            j = attr.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {boff}')
        stack.append(_OpenTag(name, pos, attrs, boff))
        i = j + 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_html_tag(
    tag: _OpenTag, pos: int, stack: list[_OpenTag], entities: list[JSONDict]
) -> None:
    """Turn a closed HTML tag into a message entity."""
    length = pos - tag.offset
    language = tag.attrs.get("class", "")
    if tag.name == "code" and stack and stack[-1].name == "pre":
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: JSONDict = {
        "type": _HTML_ENTITY_TYPES[tag.name],
        "offset": tag.offset,
        "length": length,
    }
    if tag.name == "a":
        href = tag.attrs.get("href")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)


def _decode_field(name: str, value: str) -> Any:
    """Decode one form field: PTB JSON-encodes every non-string value."""
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any, name: str, default: int | None = None) -> int:
    """Coerce a parameter to int or raise a 400."""
    if value is None or value == "":
        if default is None:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: wrong parameter {name}") from None


def _as_float(value: Any, name: str) -> float:
    """Coerce a parameter to float or raise a 400."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: wrong parameter {name}") from None


def _json_reply(status: int, body: Any) -> _Reply:
    """Serialize a JSON reply."""
    return _Reply(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")


class FakeBotAPI:
    """In-process fake of the Telegram Bot API for end-to-end tests."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        username: str = "fake_test_bot",
        first_name: str = "FakeBot",
    ) -> None:
        """Create the fake; nothing listens until start()."""
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_user: JSONDict = {
            "id": int(head) if head.isdigit() else 123456,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[RecordedCall] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self.callback_query_ttl: float | None = None
        self.errors: list[BaseException] = []
        self.webhook_url: str | None = None
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._poll_tasks: dict[int, asyncio.Task[Any]] = {}
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._active_poll: _Poll | None = None
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
        self._kicked_from: set[int] = set()
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._message_ids: dict[int, int] = {}
        self._sent: list[JSONDict] = []
        self._outbox: dict[int, list[JSONDict]] = {}
        self._cursors: dict[int, int] = {}
        self._returned_calls: set[int] = set()
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._queries: dict[str, JSONDict] = {}
        self._query_seq = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._methods: dict[str, Callable[[Params, dict[str, _Upload]], Any]] = {
            "getMe": self._m_get_me,
            "deleteWebhook": self._m_delete_webhook,
            "setWebhook": self._m_set_webhook,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "sendChatAction": self._m_send_chat_action,
            "sendPhoto": self._m_send_photo,
            "sendDocument": self._m_send_document,
            "sendVoice": self._m_send_voice,
            "sendLocation": self._m_send_location,
            "sendVenue": self._m_send_venue,
            "copyMessage": self._m_copy_message,
            "forwardMessage": self._m_forward_message,
            "getFile": self._m_get_file,
        }
        self._method_names = {name.lower(): name for name in [*self._methods, "getUpdates"]}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> int:
        """Bind 127.0.0.1 on an ephemeral port and return the port."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI already started")
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1_000_000)
        app.router.add_route("*", r"/bot{token:[^/]*}/{method:[^/]*}", self._handle_api)
        app.router.add_route("GET", r"/file/bot{token:[^/]*}/{file_path:.+}", self._handle_file)
        app.router.add_route("*", r"/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            shutdown_timeout=1.0,
            handler_cancellation=True,
            access_log=None,
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        return self._port

    async def stop(self) -> None:
        """Wake long polls, cancel in-flight work and close the server."""
        self._closing = True
        self._notify()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def port(self) -> int:
        """The bound port."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url()."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url()."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ HTTP layer

    def _notify(self) -> None:
        """Wake every waiter (long polls, next_sent, wait_for_call)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _record(
        self,
        method: str,
        params: Params,
        status: int,
        files: dict[str, _Upload] | None = None,
        result: Any = None,
    ) -> None:
        """Append a RecordedCall and wake waiters."""
        names = {key: up.filename for key, up in (files or {}).items()}
        self.calls.append(
            RecordedCall(method, copy.deepcopy(params), status, time.monotonic(), names, result)
        )
        self._notify()

    async def _read_params(self, request: web.Request) -> tuple[Params, dict[str, _Upload]]:
        """Decode query, form, multipart or JSON parameters."""
        params: Params = {k: _decode_field(k, v) for k, v in request.query.items()}
        files: dict[str, _Upload] = {}
        if request.method != "POST" or not request.body_exists:
            return params, files
        ctype = request.content_type
        try:
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        data = value.file.read()
                        files[key] = _Upload(value.filename, value.content_type, data)
                    else:
                        params[key] = _decode_field(key, str(value))
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        return params, files

    def _take_fault(self, method: str, params: Params) -> Fault | None:
        """Pop the first queued fault for method whose match accepts params."""
        queue = self._faults.get(method, [])
        for index, fault in enumerate(queue):
            if fault.match is None or fault.match(params):
                fault.times -= 1
                if fault.times <= 0:
                    del queue[index]
                return fault
        return None

    def _fault_error(self, fault: Fault, params: Params) -> ApiError | _Reply:
        """Build the reply for a fault that answers instead of the method."""
        kind = fault.kind
        if kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if kind == "500":
            return ApiError(500, "Internal Server Error")
        if kind == "502":
            return _Reply(502, _BAD_GATEWAY_HTML, "text/html")
        if kind == "parse_entities":
            return ApiError(
                400,
                "Bad Request: can't parse entities: "
                "Can't find end of the entity starting at byte offset 0",
            )
        if kind == "forbidden":
            return ApiError(403, "Forbidden: bot was blocked by the user")
        if kind == "malformed":
            return _Reply(200, b"not json", "text/plain")
        if kind == "migrate":
            old = params.get("chat_id")
            new_id = fault.migrate_to_chat_id
            if new_id is None:
                base = abs(old) if isinstance(old, int) else 1
                new_id = -(1_000_000_000_000 + base)
            title = None
            if isinstance(old, int) and old in self._chats:
                title = self._chats[old].get("title")
            self.register_chat(new_id, type="supergroup", title=title)
            return ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        raise AssertionError(f"unexpected fault kind {kind}")

    async def _serve(
        self,
        request: web.Request,
        method: str,
        params: Params,
        files: dict[str, _Upload],
        work: Callable[[], Awaitable[_Reply]],
    ) -> web.StreamResponse:
        """Apply faults, run work in a shielded task and record the call."""
        fault = self._take_fault(method, params)
        if fault is not None and fault.kind == "drop":
            self._record(method, params, 0, files, "connection dropped")
            return await self._drop(request)

        async def run() -> _Reply:
            if fault is not None and fault.kind == "timeout":
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.kind != "timeout":
                outcome = self._fault_error(fault, params)
                if isinstance(outcome, ApiError):
                    self._record(method, params, outcome.status, files, outcome.description)
                    return _json_reply(outcome.status, outcome.body())
                self._record(method, params, outcome.status, files, outcome.body.decode())
                return outcome
            return await work()

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        if method == "getUpdates":
            self._poll_tasks[id(request)] = task
        try:
            reply = await asyncio.shield(task)
        except asyncio.CancelledError:
            # The client went away: a long poll ends here, any other call still completes.
            if method == "getUpdates":
                task.cancel()
            raise
        finally:
            self._poll_tasks.pop(id(request), None)
        return web.Response(status=reply.status, body=reply.body, content_type=reply.content_type)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        """Forget a finished task and keep its unexpected exception."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            self.errors.append(exc)

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the connection without sending a response."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        # handler_cancellation=True: aiohttp cancels this handler once the transport is gone.
        await asyncio.sleep(10)
        raise ConnectionResetError("connection dropped by fault injection")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Route /bot{token}/{method}."""
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        method = self._method_names.get(raw_method.lower(), raw_method)
        try:
            params, files = await self._read_params(request)
        except ApiError as exc:
            self._record(method, {}, exc.status, None, exc.description)
            return web.json_response(exc.body(), status=exc.status)
        if token != self.token:
            err = ApiError(401, "Unauthorized")
            self._record(method, params, err.status, files, err.description)
            return web.json_response(err.body(), status=err.status)
        if method == "getUpdates":
            return await self._serve(
                request, method, params, files, lambda: self._run_get_updates(params, request)
            )
        handler = self._methods.get(method)
        if handler is None:
            err = ApiError(404, "Not Found")
            self._record(method, params, err.status, files, err.description)
            return web.json_response(err.body(), status=err.status)

        async def work() -> _Reply:
            return self._run_method(method, handler, params, files)

        return await self._serve(request, method, params, files, work)

    def _run_method(
        self,
        method: str,
        handler: Callable[[Params, dict[str, _Upload]], Any],
        params: Params,
        files: dict[str, _Upload],
    ) -> _Reply:
        """Run a synchronous method handler and record its outcome."""
        try:
            result = handler(params, files)
        except ApiError as exc:
            self._record(method, params, exc.status, files, exc.description)
            return _json_reply(exc.status, exc.body())
        except Exception as exc:
            _LOGGER.exception("FakeBotAPI bug in %s", method)
            self.errors.append(exc)
            self._record(method, params, 500, files, repr(exc))
            return _json_reply(
                500,
                {"ok": False, "error_code": 500, "description": f"Internal fake error: {exc!r}"},
            )
        self._record(method, params, 200, files, copy.deepcopy(result))
        return _json_reply(200, {"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Route GET /file/bot{token}/{file_path}."""
        params: Params = {"file_path": request.match_info["file_path"]}
        if request.match_info["token"] != self.token:
            err = ApiError(401, "Unauthorized")
            self._record(DOWNLOAD_METHOD, params, err.status, None, err.description)
            return web.json_response(err.body(), status=err.status)

        async def work() -> _Reply:
            stored = self._files_by_path.get(params["file_path"])
            if stored is None:
                err = ApiError(404, "Not Found")
                self._record(DOWNLOAD_METHOD, params, err.status, None, err.description)
                return _json_reply(err.status, err.body())
            self._record(DOWNLOAD_METHOD, params, 200, None, len(stored.data))
            return _Reply(200, stored.data, "application/octet-stream")

        return await self._serve(request, DOWNLOAD_METHOD, params, {}, work)

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        """Answer 404 for anything outside the Bot API routes."""
        err = ApiError(404, "Not Found")
        self._record(request.path, {}, err.status, None, err.description)
        return web.json_response(err.body(), status=err.status)

    # ------------------------------------------------------------------ getUpdates

    def _update_type(self, update: JSONDict) -> str:
        """Return the payload key of an update."""
        return next(key for key in update if key != "update_id")

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by offset (negative: keep only the last -offset)."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    async def _run_get_updates(self, params: Params, request: web.Request) -> _Reply:
        """Run getUpdates and record its outcome."""
        try:
            result = await self._get_updates(params, request)
        except ApiError as exc:
            self._record("getUpdates", params, exc.status, None, exc.description)
            return _json_reply(exc.status, exc.body())
        except asyncio.CancelledError:
            self._record("getUpdates", params, 499, None, "client closed request")
            raise
        self._record("getUpdates", params, 200, None, copy.deepcopy(result))
        return _json_reply(200, {"ok": True, "result": result})

    async def _get_updates(self, params: Params, request: web.Request) -> list[JSONDict]:
        """Long-poll for updates with Telegram's offset, limit and conflict rules."""
        offset = _as_int(params.get("offset"), "offset", 0)
        limit = min(max(_as_int(params.get("limit"), "limit", 100), 1), 100)
        timeout = max(_as_float(params.get("timeout") or 0, "timeout"), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(offset)
        old = self._active_poll
        if old is not None:
            transport = old.request.transport
            if transport is None or transport.is_closing():
                if old.task is not None:
                    old.task.cancel()
            else:
                old.conflict = True
        poll = _Poll(request, self._poll_tasks.get(id(request)))
        self._active_poll = poll
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.conflict:
                    raise ApiError(409, _CONFLICT_POLL)
                batch = [
                    copy.deepcopy(u)
                    for u in self._updates
                    if self._update_type(u) in self._allowed_updates
                ][:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._closing:
                    return batch
                changed = self._changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
        finally:
            if self._active_poll is poll:
                self._active_poll = None

    # ------------------------------------------------------------------ chats and messages

    def _user(self, uid: int, first_name: str | None = None) -> JSONDict:
        """Return (creating or renaming) the user object for uid."""
        user = self._users.get(uid)
        if user is None:
            user = {"id": uid, "is_bot": False, "first_name": first_name or "测试"}
            user["language_code"] = "zh-hans"
            self._users[uid] = user
        elif first_name is not None:
            user["first_name"] = first_name
        return user

    def _coerce_chat_id(self, raw: Any, name: str = "chat_id") -> int:
        """Turn a chat_id parameter into a known numeric id."""
        if raw is None or raw == "":
            raise ApiError(400, f"Bad Request: {name} is empty")
        if isinstance(raw, bool):
            raise ApiError(400, "Bad Request: chat not found")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == raw[1:].lower():
                    return int(chat["id"])
        raise ApiError(400, "Bad Request: chat not found")

    def _writable_chat(self, raw: Any) -> JSONDict:
        """Return the chat object for a send, or raise the error Telegram would."""
        chat_id = self._coerce_chat_id(raw)
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self._kicked_from:
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        """Advance the per-chat message_id counter."""
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _reply_target(self, chat_id: int, params: Params) -> JSONDict | None:
        """Resolve reply_parameters / reply_to_message_id to a stored message."""
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        if not reply:
            return None
        if not isinstance(reply, dict):
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        target_chat = reply.get("chat_id", chat_id)
        if not isinstance(target_chat, int):
            target_chat = self._coerce_chat_id(target_chat)
        message = self._messages.get((target_chat, _as_int(reply.get("message_id"), "message_id")))
        if message is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        target = copy.deepcopy(message)
        target.pop("reply_to_message", None)
        return target

    def _store_bot_message(
        self,
        chat: JSONDict,
        content: JSONDict,
        params: Params,
        *,
        reply_markup: JSONDict | None = None,
        extra: JSONDict | None = None,
    ) -> JSONDict:
        """Create, store and log a message sent by the bot."""
        chat_id = int(chat["id"])
        reply_to = self._reply_target(chat_id, params)
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_from(),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(extra or {})
        message.update({k: v for k, v in content.items() if v not in (None, [])})
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        self._messages[(chat_id, message["message_id"])] = message
        self._sent.append(copy.deepcopy(message))
        self._log_outgoing(message)
        return copy.deepcopy(message)

    def _bot_from(self) -> JSONDict:
        """The bot as it appears in Message.from (no getMe-only fields)."""
        return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

    def _log_outgoing(self, message: JSONDict) -> None:
        """Append a snapshot for next_sent and wake waiters."""
        chat_id = int(message["chat"]["id"])
        self._outbox.setdefault(chat_id, []).append(copy.deepcopy(message))
        self._notify()

    def _stored_message(self, params: Params, what: str) -> JSONDict:
        """Find the message addressed by chat_id + message_id or raise '<what> not found'."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat_id = self._coerce_chat_id(params.get("chat_id"))
        message_id = _as_int(params.get("message_id"), "message_id")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            if chat_id not in self._chats:
                raise ApiError(400, "Bad Request: chat not found")
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return message

    # ------------------------------------------------------------------ validation

    def _format(
        self, text: str, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSONDict] | None]:
        """Apply parse_mode (HTML is validated) and check the length limit."""
        if entities:
            if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
                raise ApiError(400, "Bad Request: can't parse entities JSON object")
            plain, parsed = text, list(entities)
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    plain, parsed = parse_html(text)
                except HtmlParseError as exc:
                    raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            elif mode in ("markdown", "markdownv2"):
                plain, parsed = text, []  # not validated by this fake
            else:
                raise ApiError(400, "Bad Request: unsupported parse_mode")
        else:
            plain, parsed = text, []
        if caption:
            if utf16_len(plain) > MAX_CAPTION_LENGTH:
                raise ApiError(400, "Bad Request: message caption is too long")
        else:
            if not plain.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if utf16_len(plain) > MAX_TEXT_LENGTH:
                raise ApiError(400, "Bad Request: message is too long")
        return plain, parsed or None

    def _validate_markup(self, raw: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate reply_markup; return what a Message would carry (inline keyboards only)."""
        if raw is None or raw == "":
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        if not isinstance(raw, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in raw:
            if inline_only:
                raise ApiError(400, "Bad Request: inline keyboard expected")
            if "keyboard" in raw:
                rows = raw["keyboard"]
                if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                    raise ApiError(
                        400,
                        'Bad Request: field "keyboard" of the ReplyKeyboardMarkup '
                        "should be an Array of Arrays",
                    )
                return None
            if "remove_keyboard" in raw or "force_reply" in raw:
                return None
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                "should be an Array of Arrays",
            )
        count = 0
        for row in rows:
            for button in row:
                self._validate_button(button)
                count += 1
        if count > MAX_INLINE_BUTTONS:
            raise ApiError(400, "Bad Request: reply markup is too long")
        if len(json.dumps(raw, ensure_ascii=False).encode()) > MAX_MARKUP_BYTES:
            raise ApiError(400, "Bad Request: reply markup is too long")
        if count == 0:
            return None
        return {"inline_keyboard": [[dict(b) for b in row] for row in rows if row]}

    @staticmethod
    def _validate_button(button: Any) -> None:
        """Validate one inline keyboard button."""
        prefix = "Bad Request: can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise ApiError(400, prefix + "InlineKeyboardButton must be an Object")
        if not isinstance(button.get("text"), str):
            raise ApiError(400, prefix + 'Field "text" must be of type String')
        actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
        if not actions:
            raise ApiError(400, prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise ApiError(400, prefix + "Exactly one of the optional fields must be used")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not (
                1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")

    # ------------------------------------------------------------------ files

    def _new_file(self, data: bytes, kind: str, suffix: str, obj: JSONDict) -> JSONDict:
        """Store bytes under a fresh file_id / file_unique_id; return obj filled in."""
        seq = next(self._file_seq)
        file_id = f"{kind[:3].upper()}{seq}-{secrets.token_hex(8)}"
        unique = f"U{seq}{secrets.token_hex(4)}"
        folder = "photos" if kind == "photo" else "documents"
        stored_obj = {"file_id": file_id, "file_unique_id": unique, **obj, "file_size": len(data)}
        path = f"{folder}/file_{seq}{suffix}"
        stored = _StoredFile(file_id, unique, data, path, kind, stored_obj)
        self._files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return copy.deepcopy(stored_obj)

    def _new_photo(self, data: bytes) -> list[JSONDict]:
        """Create a PhotoSize array (thumbnail and full size) for the bytes."""
        sizes = [
            self._new_file(data, "photo", ".jpg", {"width": 90, "height": 68}),
            self._new_file(data, "photo", ".jpg", {"width": 1280, "height": 960}),
        ]
        for size in sizes:
            self._files[size["file_id"]].obj = sizes
        return copy.deepcopy(sizes)

    def _new_document(self, data: bytes, file_name: str, mime_type: str | None) -> JSONDict:
        """Create a Document object for the bytes."""
        suffix = ""
        if "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        obj: JSONDict = {"file_name": file_name}
        obj["mime_type"] = mime_type or "application/octet-stream"
        return self._new_file(data, "document", suffix, obj)

    def _input_media(
        self, params: Params, files: dict[str, _Upload], key: str
    ) -> tuple[_Upload | None, _StoredFile | None]:
        """Resolve an upload, attach:// reference, URL or file_id parameter."""
        upload = files.get(key)
        value = params.get(key)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            if len(upload.data) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            return upload, None
        if not isinstance(value, str) or not value:
            raise ApiError(400, f"Bad Request: there is no {key} in the request")
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return _Upload(name, None, value.encode()), None
        stored = self._files.get(value)
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if stored.kind != key:
            raise ApiError(400, f"Bad Request: type of file mismatch; expected {key}")
        return None, stored

    # ------------------------------------------------------------------ Bot API methods

    def _m_get_me(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """getMe."""
        return copy.deepcopy(self.bot_user)

    def _m_set_webhook(self, params: Params, files: dict[str, _Upload]) -> bool:
        """setWebhook: remembered (updates are then posted by the test, as Telegram would)."""
        url = str(params.get("url") or "")
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url = url
        self.webhook_secret = secret
        return True

    def _m_delete_webhook(self, params: Params, files: dict[str, _Upload]) -> bool:
        """deleteWebhook."""
        self.webhook_url = None
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        """Key commands by scope and language."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_set_my_commands(self, params: Params, files: dict[str, _Upload]) -> bool:
        """setMyCommands."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name = cmd.get("command")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        stored = [{"command": c["command"], "description": c["description"]} for c in commands]
        self._commands[self._commands_key(params)] = stored
        return True

    def _m_get_my_commands(self, params: Params, files: dict[str, _Upload]) -> list[JSONDict]:
        """getMyCommands."""
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _m_delete_my_commands(self, params: Params, files: dict[str, _Upload]) -> bool:
        """deleteMyCommands."""
        self._commands.pop(self._commands_key(params), None)
        return True

    def _m_send_message(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """sendMessage."""
        chat = self._writable_chat(params.get("chat_id"))
        raw = params.get("text")
        text, entities = self._format(
            "" if raw is None else str(raw), params.get("parse_mode"), params.get("entities")
        )
        markup = self._validate_markup(params.get("reply_markup"))
        content: JSONDict = {"text": text, "entities": entities}
        return self._store_bot_message(chat, content, params, reply_markup=markup)

    def _m_edit_message_text(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """editMessageText."""
        message = self._stored_message(params, "edit")
        self._writable_chat(message["chat"]["id"])
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw = params.get("text")
        text, entities = self._format(
            "" if raw is None else str(raw), params.get("parse_mode"), params.get("entities")
        )
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        if (
            text == message.get("text")
            and entities == message.get("entities")
            and markup == message.get("reply_markup")
        ):
            raise ApiError(400, _NOT_MODIFIED)
        message["text"] = text
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        self._set_markup(message, markup)
        return self._finish_edit(message)

    def _m_edit_message_reply_markup(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """editMessageReplyMarkup."""
        message = self._stored_message(params, "edit")
        self._writable_chat(message["chat"]["id"])
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = self._validate_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        self._set_markup(message, markup)
        return self._finish_edit(message)

    @staticmethod
    def _set_markup(message: JSONDict, markup: JSONDict | None) -> None:
        """Replace (or remove) a stored message's inline keyboard."""
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup

    def _finish_edit(self, message: JSONDict) -> JSONDict:
        """Stamp edit_date, log the edit and return a copy."""
        message["edit_date"] = max(int(time.time()), int(message["date"]))
        self._log_outgoing(message)
        return copy.deepcopy(message)

    def _m_delete_message(self, params: Params, files: dict[str, _Upload]) -> bool:
        """deleteMessage."""
        message = self._stored_message(params, "delete")
        del self._messages[(int(message["chat"]["id"]), int(message["message_id"]))]
        self._notify()
        return True

    def _m_answer_callback_query(self, params: Params, files: dict[str, _Upload]) -> bool:
        """answerCallbackQuery."""
        query_id = str(params.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        if query is None or query["answered"]:
            raise ApiError(400, _QUERY_TOO_OLD)
        ttl = self.callback_query_ttl
        if ttl is not None and time.monotonic() - query["created"] > ttl:
            raise ApiError(400, _QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        keys = ("text", "show_alert", "url", "cache_time")
        self.callback_answers[query_id] = {key: params[key] for key in keys if key in params}
        return True

    def _m_send_chat_action(self, params: Params, files: dict[str, _Upload]) -> bool:
        """sendChatAction."""
        self._writable_chat(params.get("chat_id"))
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _caption(self, params: Params) -> JSONDict:
        """Parse and validate caption / caption_entities."""
        raw = params.get("caption")
        if raw is None or raw == "":
            return {}
        caption, entities = self._format(
            str(raw), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        return {"caption": caption, "caption_entities": entities}

    def _m_send_photo(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """sendPhoto."""
        chat = self._writable_chat(params.get("chat_id"))
        upload, stored = self._input_media(params, files, "photo")
        caption = self._caption(params)
        markup = self._validate_markup(params.get("reply_markup"))
        if upload is not None:
            photo = self._new_photo(upload.data)
        else:
            assert stored is not None
            photo = copy.deepcopy(stored.obj)
        content = {"photo": photo, **caption}
        return self._store_bot_message(chat, content, params, reply_markup=markup)

    def _m_send_document(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """sendDocument."""
        chat = self._writable_chat(params.get("chat_id"))
        upload, stored = self._input_media(params, files, "document")
        caption = self._caption(params)
        markup = self._validate_markup(params.get("reply_markup"))
        if upload is not None:
            document = self._new_document(upload.data, upload.filename, upload.content_type)
        else:
            assert stored is not None
            document = copy.deepcopy(stored.obj)
        content = {"document": document, **caption}
        return self._store_bot_message(chat, content, params, reply_markup=markup)

    def _m_send_voice(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """sendVoice (by file_id or upload)."""
        chat = self._writable_chat(params.get("chat_id"))
        upload, stored = self._input_media(params, files, "voice")
        caption = self._caption(params)
        markup = self._validate_markup(params.get("reply_markup"))
        if upload is not None:
            voice = self._new_file(upload.data, "voice", ".ogg", {"duration": 1})
        else:
            assert stored is not None
            voice = copy.deepcopy(stored.obj)
        content = {"voice": voice, **caption}
        return self._store_bot_message(chat, content, params, reply_markup=markup)

    @staticmethod
    def _location(params: Params) -> JSONDict:
        """Validate latitude / longitude."""
        lat = _as_float(params.get("latitude"), "latitude")
        lon = _as_float(params.get("longitude"), "longitude")
        if not -90 <= lat <= 90:
            raise ApiError(400, "Bad Request: wrong latitude specified")
        if not -180 <= lon <= 180:
            raise ApiError(400, "Bad Request: wrong longitude specified")
        location: JSONDict = {"latitude": lat, "longitude": lon}
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if params.get(key) is not None:
                location[key] = params[key]
        return location

    def _m_send_location(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """sendLocation."""
        chat = self._writable_chat(params.get("chat_id"))
        location = self._location(params)
        markup = self._validate_markup(params.get("reply_markup"))
        return self._store_bot_message(chat, {"location": location}, params, reply_markup=markup)

    def _m_send_venue(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """sendVenue."""
        chat = self._writable_chat(params.get("chat_id"))
        location = self._location(params)
        title, address = params.get("title"), params.get("address")
        if not title:
            raise ApiError(400, "Bad Request: venue title is empty")
        if not address:
            raise ApiError(400, "Bad Request: venue address is empty")
        venue: JSONDict = {"location": location, "title": str(title), "address": str(address)}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key):
                venue[key] = params[key]
        markup = self._validate_markup(params.get("reply_markup"))
        content = {"venue": venue, "location": location}
        return self._store_bot_message(chat, content, params, reply_markup=markup)

    def _source_message(self, params: Params, what: str) -> JSONDict:
        """Resolve from_chat_id + message_id for copy/forward."""
        from_chat = self._coerce_chat_id(params.get("from_chat_id"), "from_chat_id")
        if from_chat not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        message_id = _as_int(params.get("message_id"), "message_id")
        source = self._messages.get((from_chat, message_id))
        if source is None:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return source

    def _m_copy_message(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """copyMessage."""
        chat = self._writable_chat(params.get("chat_id"))
        source = self._source_message(params, "copy")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        if not content:
            raise ApiError(400, "Bad Request: message can't be copied")
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        markup = self._validate_markup(params.get("reply_markup"))
        message = self._store_bot_message(chat, content, params, reply_markup=markup)
        return {"message_id": message["message_id"]}

    def _m_forward_message(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """forwardMessage."""
        chat = self._writable_chat(params.get("chat_id"))
        source = self._source_message(params, "forward")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        if not content:
            raise ApiError(400, "Bad Request: message can't be forwarded")
        origin: JSONDict = {
            "type": "user",
            "date": source["date"],
            "sender_user": copy.deepcopy(source["from"]),
        }
        return self._store_bot_message(chat, content, {}, extra={"forward_origin": origin})

    def _m_get_file(self, params: Params, files: dict[str, _Upload]) -> JSONDict:
        """getFile (file_path is relative; PTB prefixes base_file_url)."""
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ control API: updates

    def _queue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Append an update and wake long polls."""
        self._updates.append({"update_id": next(self._update_ids), kind: copy.deepcopy(payload)})
        self._notify()
        return payload

    def _chat_for_user(
        self, uid: int, chat_id: int | None, chat_type: str, first_name: str | None
    ) -> JSONDict:
        """Return (registering) the chat a user writes in."""
        user = self._user(uid, first_name)
        if chat_type == "private":
            if chat_id not in (None, uid):
                raise ValueError("a private chat's id is the user id")
            chat = {"id": uid, "type": "private", "first_name": user["first_name"]}
            self._chats[uid] = chat
            return copy.deepcopy(chat)
        if chat_type not in ("group", "supergroup"):
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        if chat_id is None:
            chat_id = -uid if chat_type == "group" else -(1_000_000_000_000 + uid)
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        known = self._chats.get(chat_id)
        if known is None:
            known = self.register_chat(chat_id, type=chat_type)
        return copy.deepcopy(known)

    def _user_content(
        self,
        uid: int,
        content: JSONDict,
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        chat_type: str = "private",
        reply_to: JSONDict | int | None = None,
    ) -> JSONDict:
        """Store a message written by a user and queue it as a message update."""
        chat = self._chat_for_user(uid, chat_id, chat_type, first_name)
        message: JSONDict = {
            "message_id": self._next_message_id(int(chat["id"])),
            "from": copy.deepcopy(self._users[uid]),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else int(reply_to["message_id"])
            target = self._messages.get((int(chat["id"]), reply_id))
            if target is None and isinstance(reply_to, dict):
                target = reply_to
            if target is not None:
                target = copy.deepcopy(target)
                target.pop("reply_to_message", None)
                message["reply_to_message"] = target
        self._messages[(int(chat["id"]), message["message_id"])] = message
        self._queue_update("message", message)
        return copy.deepcopy(message)

    @staticmethod
    def _text_content(text: str) -> JSONDict:
        """Text plus a bot_command entity when it starts with '/'."""
        content: JSONDict = {"text": text}
        command = _BOT_COMMAND.match(text)
        if command:
            length = utf16_len(command.group(0))
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return content

    def user_message(
        self,
        uid: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str = "测试",
        chat_type: str = "private",
        reply_to: JSONDict | int | None = None,
    ) -> JSONDict:
        """Queue a text message from user uid; returns the Message dict."""
        return self._user_content(
            uid,
            self._text_content(text),
            chat_id=chat_id,
            first_name=first_name,
            chat_type=chat_type,
            reply_to=reply_to,
        )

    def user_location(
        self,
        uid: int,
        lat: float,
        lon: float,
        *,
        chat_id: int | None = None,
        first_name: str = "测试",
        chat_type: str = "private",
    ) -> JSONDict:
        """Queue a location message from user uid."""
        content = {"location": {"latitude": lat, "longitude": lon}}
        return self._user_content(
            uid, content, chat_id=chat_id, first_name=first_name, chat_type=chat_type
        )

    def user_photo(
        self,
        uid: int,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        chat_id: int | None = None,
        first_name: str = "测试",
        chat_type: str = "private",
        reply_to: JSONDict | int | None = None,
    ) -> JSONDict:
        """Queue a photo message (PhotoSize array with fresh, downloadable file ids)."""
        if data is None:
            data = b"\xff\xd8\xff\xe0" + secrets.token_bytes(256) + b"\xff\xd9"
        content: JSONDict = {"photo": self._new_photo(data)}
        if caption is not None:
            content["caption"] = caption
        return self._user_content(
            uid,
            content,
            chat_id=chat_id,
            first_name=first_name,
            chat_type=chat_type,
            reply_to=reply_to,
        )

    def user_voice(
        self,
        uid: int,
        seconds: int = 5,
        *,
        chat_id: int | None = None,
        first_name: str = "测试",
        reply_to: JSONDict | int | None = None,
    ) -> JSONDict:
        """Queue a voice note of `seconds` (OGG bytes, downloadable)."""
        data = b"OggS" + secrets.token_bytes(128)
        voice = self._new_file(
            data, "voice", ".ogg", {"duration": seconds, "mime_type": "audio/ogg"}
        )
        return self._user_content(
            uid, {"voice": voice}, chat_id=chat_id, first_name=first_name, reply_to=reply_to
        )

    def user_sticker(self, uid: int, *, chat_id: int | None = None) -> JSONDict:
        """Queue a sticker message."""
        sticker = self._new_file(
            b"RIFF" + secrets.token_bytes(64),
            "sticker",
            ".webp",
            {
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": "👍",
            },
        )
        return self._user_content(uid, {"sticker": sticker}, chat_id=chat_id)

    def user_document(
        self,
        uid: int,
        file_name: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        first_name: str = "测试",
        chat_type: str = "private",
    ) -> JSONDict:
        """Queue a document message with downloadable bytes."""
        content: JSONDict = {"document": self._new_document(data, file_name, mime_type)}
        if caption is not None:
            content["caption"] = caption
        return self._user_content(
            uid, content, chat_id=chat_id, first_name=first_name, chat_type=chat_type
        )

    def user_contact(
        self,
        uid: int,
        phone: str,
        contact_user_id: int | None = None,
        *,
        first_name: str = "测试",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        """Queue a contact message (user_id set when given, e.g. the sender's own contact)."""
        contact: JSONDict = {"phone_number": phone, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._user_content(
            uid, {"contact": contact}, chat_id=chat_id, first_name=first_name, chat_type=chat_type
        )

    def edited_message(
        self, uid: int, message: JSONDict | int, text: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """Edit a user's stored message and queue an edited_message update."""
        message_id = message if isinstance(message, int) else int(message["message_id"])
        if chat_id is None:
            chat_id = uid if isinstance(message, int) else int(message["chat"]["id"])
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        if stored["from"]["id"] != uid:
            raise ValueError("users can only edit their own messages")
        stored.pop("entities", None)
        stored.update(self._text_content(text))
        stored["edit_date"] = max(int(time.time()), int(stored["date"]))
        self._queue_update("edited_message", stored)
        return copy.deepcopy(stored)

    def press_button(
        self, uid: int, message: JSONDict, data: str, *, chat_id: int | None = None
    ) -> str:
        """Queue a callback_query for a button press; returns the query id."""
        if chat_id is None:
            chat_id = int(message["chat"]["id"])
        current = self._messages.get((chat_id, int(message["message_id"])), message)
        query_id = str(4_000_000_000_000_000 + next(self._query_seq))
        payload: JSONDict = {
            "id": query_id,
            "from": copy.deepcopy(self._user(uid)),
            "message": copy.deepcopy(current),
            "chat_instance": str((chat_id * 2_654_435_761) % 10**18),
            "data": data,
        }
        self._queries[query_id] = {"answered": False, "created": time.monotonic()}
        self._queue_update("callback_query", payload)
        return query_id

    def my_chat_member(self, uid: int, status: str, *, chat_id: int | None = None) -> JSONDict:
        """Queue a my_chat_member update ("kicked" blocks the bot, "member" unblocks)."""
        if status not in ("kicked", "member", "left", "administrator"):
            raise ValueError(f"unsupported status {status!r}")
        user = self._user(uid)
        target = uid if chat_id is None else chat_id
        chat = self._chats.get(target)
        if chat is None:
            chat = self.register_chat(target, type="private" if target > 0 else "group")
        private = chat["type"] == "private"
        gone = status in ("kicked", "left")
        if private:
            (self._blocked.add if gone else self._blocked.discard)(target)
        else:
            (self._kicked_from.add if gone else self._kicked_from.discard)(target)
        old_status = "member" if gone else ("kicked" if private else "left")

        def member(state: str) -> JSONDict:
            obj: JSONDict = {"user": self._bot_from(), "status": state}
            if state == "kicked":
                obj["until_date"] = 0
            if state == "administrator":
                obj.update(
                    {
                        "can_be_edited": False,
                        "is_anonymous": False,
                        "can_manage_chat": True,
                        "can_delete_messages": True,
                        "can_manage_video_chats": False,
                        "can_restrict_members": False,
                        "can_promote_members": False,
                        "can_change_info": False,
                        "can_invite_users": True,
                        "can_post_stories": False,
                        "can_edit_stories": False,
                        "can_delete_stories": False,
                    }
                )
            return obj

        payload = {
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(user),
            "date": int(time.time()),
            "old_chat_member": member(old_status),
            "new_chat_member": member(status),
        }
        return copy.deepcopy(self._queue_update("my_chat_member", payload))

    # ------------------------------------------------------------------ control API: state

    def register_chat(
        self,
        chat_id: int,
        type: str = "private",
        title: str | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
    ) -> JSONDict:
        """Make a chat reachable without it writing to the bot first."""
        chat: JSONDict
        if type == "private":
            if chat_id <= 0:
                raise ValueError("private chat ids are positive")
            user = self._user(chat_id, first_name)
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        elif type in ("group", "supergroup", "channel"):
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            chat = {"id": chat_id, "type": type, "title": title or f"测试群 {abs(chat_id)}"}
        else:
            raise ValueError(f"unsupported chat type {type!r}")
        if username:
            chat["username"] = username
        self._chats[chat_id] = chat
        return copy.deepcopy(chat)

    def block_user(self, uid: int) -> None:
        """Make sends to uid's private chat answer 403 'bot was blocked by the user'."""
        self._blocked.add(uid)

    def unblock_user(self, uid: int) -> None:
        """Undo block_user."""
        self._blocked.discard(uid)

    def inject(
        self,
        method: str,
        kind: str,
        *,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
        match: Callable[[Params], bool] | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> Fault:
        """Queue a fault for method (FIFO per method; `times` counts down)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be >= 1")
        canonical = self._method_names.get(method.lower(), method)
        fault = Fault(kind, times, retry_after, delay, match, migrate_to_chat_id)
        self._faults.setdefault(canonical, []).append(fault)
        return fault

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self._faults.clear()

    async def deliver_webhook(self, *, secret: str | None = None) -> list[int]:
        """Post every pending update to the webhook, as Telegram does (with the secret token
        set by setWebhook unless `secret` overrides it); returns the HTTP statuses. Updates
        answered 2xx are taken off the queue, others stay for the next delivery."""
        import aiohttp

        assert self.webhook_url, "no webhook set"
        token = secret if secret is not None else getattr(self, "webhook_secret", None)
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        statuses = []
        async with aiohttp.ClientSession() as session:
            for update in list(self._updates):
                async with session.post(self.webhook_url, json=update, headers=headers) as reply:
                    statuses.append(reply.status)
                    if 200 <= reply.status < 300:
                        self._updates.remove(update)
        return statuses

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is currently waiting."""
        return self._active_poll is not None

    def sent(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages successfully sent by the bot (send*/copy/forward), oldest first."""
        return [
            copy.deepcopy(m)
            for m in self._sent
            if chat_id is None or int(m["chat"]["id"]) == chat_id
        ]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Current stored state of a message (after edits), or None if unknown/deleted."""
        stored = self._messages.get((chat_id, message_id))
        return copy.deepcopy(stored) if stored is not None else None

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes stored for a file_id."""
        return self._files[file_id].data

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands stored by setMyCommands for a scope and language."""
        return self._m_get_my_commands({"scope": scope, "language_code": language_code}, {})

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Recorded calls of one method."""
        return [c for c in self.calls if c.method == method]

    async def _wait(self, probe: Callable[[], Any], limit: float, what: str) -> Any:
        """Wait until probe() returns something other than None."""

        async def loop() -> Any:
            while True:
                changed = self._changed
                found = probe()
                if found is not None:
                    return found
                await changed.wait()

        try:
            return await asyncio.wait_for(loop(), limit)
        except TimeoutError:
            recent = [(c.method, c.status) for c in self.calls[-10:]]
            raise TimeoutError(f"{what} within {limit}s; last calls: {recent}") from None

    async def next_sent(self, chat_id: int, *, timeout: float = 5.0) -> JSONDict:  # noqa: ASYNC109
        """Next message sent or edited to chat_id that no earlier next_sent returned."""

        def probe() -> JSONDict | None:
            log = self._outbox.get(chat_id, [])
            cursor = self._cursors.get(chat_id, 0)
            if cursor < len(log):
                self._cursors[chat_id] = cursor + 1
                return copy.deepcopy(log[cursor])
            return None

        result: JSONDict = await self._wait(probe, timeout, f"nothing sent to chat {chat_id}")
        return result

    async def wait_for_call(
        self,
        method: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[RecordedCall], bool] | None = None,
    ) -> RecordedCall:
        """First recorded call of method (matching predicate) not returned by an earlier wait."""

        def probe() -> RecordedCall | None:
            for index, call in enumerate(self.calls):
                if index in self._returned_calls or call.method != method:
                    continue
                if predicate is None or predicate(call):
                    self._returned_calls.add(index)
                    return call
            return None

        result: RecordedCall = await self._wait(probe, timeout, f"no {method} call")
        return result

    async def wait_for_poll(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is waiting on the server."""
        await self._wait(lambda: True if self.polling else None, timeout, "no active poll")
