"""A local fake of Discord (gateway websocket + REST API v10) that real discord.py connects to.

Why: the Discord adapter must be tested the way it runs, through discord.py's own HTTP client,
rate-limit handling, gateway state and interaction plumbing, on a machine with no internet. The
fake keeps just enough server-side state (users, members, roles, channels, threads, messages,
application commands, interactions) to answer the way Discord does: the same JSON shapes, the
same error bodies (so discord.py raises its own ``Forbidden``/``NotFound`` with ``.code``), real
429s, nonce de-duplication, deferred responses whose first follow-up edits the "thinking"
message, and the gateway's HELLO/IDENTIFY/READY/GUILD_CREATE/RESUME dance.

It runs in its own thread with its own event loop, so a bot can be started, closed and started
again (even on a brand-new event loop) against the same fake, which keeps everything it saw.

Typical use::

    with FakeDiscord(application_id=APP, guild_id=GUILD, channels=[CHANNEL]) as fake:
        fake.add_member(MENTEE, "mentee")
        with fake.patch_route_base():
            ...  # start a discord.Client with client.start("any-token")
            await fake.wait_ready()
            reply = await fake.interact(fake.slash("goal", MENTEE, CHANNEL, "add", {"text": "x"}))
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import math
import re
import secrets
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

_log = logging.getLogger(__name__)

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"
HEARTBEAT_INTERVAL_MS = 41250
MAX_EVENT_BUFFER = 2000

# Gateway intents the fake cares about (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Permission bits used to build plausible member and bot permissions.
PERM_CREATE_INSTANT_INVITE = 1 << 0
PERM_ADMINISTRATOR = 1 << 3
PERM_ADD_REACTIONS = 1 << 6
PERM_VIEW_CHANNEL = 1 << 10
PERM_SEND_MESSAGES = 1 << 11
PERM_MANAGE_MESSAGES = 1 << 13
PERM_EMBED_LINKS = 1 << 14
PERM_ATTACH_FILES = 1 << 15
PERM_READ_MESSAGE_HISTORY = 1 << 16
PERM_USE_EXTERNAL_EMOJIS = 1 << 18
PERM_CHANGE_NICKNAME = 1 << 26
PERM_USE_APPLICATION_COMMANDS = 1 << 31
PERM_MANAGE_THREADS = 1 << 34
PERM_CREATE_PUBLIC_THREADS = 1 << 35
PERM_CREATE_PRIVATE_THREADS = 1 << 36
PERM_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_PERMISSIONS = (
    PERM_CREATE_INSTANT_INVITE
    | PERM_ADD_REACTIONS
    | PERM_VIEW_CHANNEL
    | PERM_SEND_MESSAGES
    | PERM_EMBED_LINKS
    | PERM_ATTACH_FILES
    | PERM_READ_MESSAGE_HISTORY
    | PERM_USE_EXTERNAL_EMOJIS
    | PERM_CHANGE_NICKNAME
    | PERM_USE_APPLICATION_COMMANDS
    | PERM_CREATE_PUBLIC_THREADS
    | PERM_CREATE_PRIVATE_THREADS
    | PERM_SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | PERM_MANAGE_THREADS | PERM_MANAGE_MESSAGES

# Channel types, interaction types and callback types.
CHANNEL_TEXT = 0
CHANNEL_DM = 1
CHANNEL_NEWS = 5
CHANNEL_PUBLIC_THREAD = 11
CHANNEL_PRIVATE_THREAD = 12
THREAD_TYPES = (10, CHANNEL_PUBLIC_THREAD, CHANNEL_PRIVATE_THREAD)
INTERACTION_PING = 1
INTERACTION_APP_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15

# Which callback types Discord accepts for which interaction type.
_ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    INTERACTION_PING: frozenset({1}),
    INTERACTION_APP_COMMAND: frozenset({4, 5, 9, 10, 12}),
    INTERACTION_COMPONENT: frozenset({4, 5, 6, 7, 9, 10, 12}),
    INTERACTION_AUTOCOMPLETE: frozenset({8}),
    INTERACTION_MODAL_SUBMIT: frozenset({4, 5, 6, 7, 10}),
}

ERROR_MESSAGES: dict[int, str] = {
    0: "",
    10002: "Unknown Application",
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10007: "Unknown Member",
    10008: "Unknown Message",
    10013: "Unknown User",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    10063: "Unknown application command",
    20028: "The write action you are performing on the channel has hit the write rate limit.",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50005: "Cannot edit a message authored by another user",
    50006: "Cannot send an empty message",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
    50024: "Cannot execute action on this channel type",
    50033: "Invalid Recipient(s)",
    50035: "Invalid Form Body",
    50083: "Thread is archived",
    130000: "API resource is currently overloaded. Try again later.",
}

_COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
_MENTION_RE = re.compile(r"<@!?(\d+)>")
_TEMPLATE_PARAM_RE = re.compile(r"\{(\w*)\}")


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """A file part of a multipart request (``files[n]``), kept so tests can read what was sent."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request the bot made, with the fake's answer, in arrival order."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[UploadedFile] = field(default_factory=list)
    status: int = 0
    response: Any = None


@dataclass
class InteractionResponse:
    """Something the bot did in answer to an interaction.

    ``kind`` is ``callback`` (``POST /interactions/{id}/{token}/callback``, ``type`` is the
    callback type 1/4/5/6/7/8/9), ``followup`` (``POST /webhooks/{app}/{token}``),
    ``edit_original``/``delete_original`` (``.../messages/@original``) or
    ``edit_message``/``delete_message`` (``.../messages/{id}``). ``data`` is the callback's
    ``data`` object, or the message body for webhook calls.
    """

    interaction_id: int
    kind: str
    type: int | None
    data: dict[str, Any]
    method: str
    path: str
    message_id: int | None = None
    files: list[UploadedFile] = field(default_factory=list)

    @property
    def content(self) -> str | None:
        """The message text sent, if any."""
        return self.data.get("content")

    @property
    def ephemeral(self) -> bool:
        """Whether the flags ask for an ephemeral (only-you-can-see-this) message."""
        return bool(int(self.data.get("flags") or 0) & FLAG_EPHEMERAL)


@dataclass
class SyncRecord:
    """One bulk overwrite of application commands (``guild_id`` is None for global ones)."""

    guild_id: int | None
    commands: list[dict[str, Any]]


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    """Raised by REST handlers; becomes Discord's JSON error body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message if message is not None else ERROR_MESSAGES.get(code, "")
        self.errors = errors
        super().__init__(f"{status} {code} {self.message}")

    def body(self) -> dict[str, Any]:
        """Discord's error shape: ``{"message", "code"}`` plus ``errors`` for form errors."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def _form_error(path: str, code: str, message: str) -> _ApiError:
    """A 400/50035 "Invalid Form Body" naming the offending field, as Discord nests it."""
    errors: dict[str, Any] = {}
    node = errors
    parts = [p for p in path.split(".") if p]
    for part in parts:
        node = node.setdefault(part, {})
    node["_errors"] = [{"code": code, "message": message}]
    return _ApiError(400, 50035, errors=errors)


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] | None = None


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    message: str
    retry_after: float | None
    is_global: bool
    errors: dict[str, Any] | None
    remaining: int | None

    def reply(self) -> _Reply:
        if self.status == 429:
            retry = self.retry_after if self.retry_after is not None else 0.1
            body: dict[str, Any] = {
                "message": self.message or "You are being rate limited.",
                "retry_after": retry,
                "global": self.is_global,
            }
            if self.code:
                body["code"] = self.code
            headers = {
                "Retry-After": str(max(1, math.ceil(retry))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
                "X-RateLimit-Reset-After": f"{retry:.3f}",
                "X-RateLimit-Scope": "global" if self.is_global else "user",
                # discord.py treats a 429 without Via as a Cloudflare ban and gives up.
                "Via": "1.1 google",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            else:
                headers["X-RateLimit-Bucket"] = "fake-bucket"
            return _Reply(429, body, headers)
        error = _ApiError(self.status, self.code, self.message or None, errors=self.errors)
        return _Reply(self.status, error.body())


@dataclass(eq=False)
class _Connection:
    """One websocket connection; a session may move between connections by RESUME."""

    ws: web.WebSocketResponse
    compressor: Any
    query: dict[str, str]
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session: _Session | None = None
    closed: bool = False
    server_close_code: int | None = None

    async def close(self, code: int, message: bytes = b"") -> None:
        """Close from the fake's side, remembering the code (it decides resumability)."""
        self.server_close_code = code
        self.closed = True
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=message)

    async def send(self, payload: dict[str, Any]) -> None:
        if self.closed or self.ws.closed:
            return
        text = json.dumps(payload)
        try:
            if self.compressor is not None:
                data = self.compressor.compress(text.encode()) + self.compressor.flush(
                    zlib.Z_SYNC_FLUSH
                )
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(text)
        except (ConnectionError, RuntimeError):
            self.closed = True


@dataclass(eq=False)
class _Session:
    """A gateway session: its sequence numbers and the events sent, so RESUME can replay."""

    session_id: str
    intents: int
    connection: _Connection | None
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    ready: bool = False
    resumable: bool = True


@dataclass
class _Interaction:
    id: int
    token: str
    type: int
    channel_id: int
    user_id: int
    payload: dict[str, Any]
    created: float
    response_type: int | None = None
    original_message_id: int | None = None
    loading: bool = False
    message_ids: list[int] = field(default_factory=list)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _template_regex(template: str, *, named: bool) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` -> a regex; ``{...}`` matches one path segment."""
    out = []
    pos = 0
    for match in _TEMPLATE_PARAM_RE.finditer(template):
        out.append(re.escape(template[pos : match.start()]))
        name = match.group(1)
        out.append(f"(?P<{name}>[^/]+)" if named and name else "[^/]+")
        pos = match.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$")


def _path_of(path: str) -> str:
    """Accept ``/channels/1/messages``, ``channels/1/messages`` or a full URL; drop the query."""
    if "://" in path:
        path = path.split("://", 1)[1]
        path = path[path.find("/") :] if "/" in path else "/"
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    path = path.split("?", 1)[0]
    return path if path.startswith("/") else "/" + path


def custom_ids(components: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """Every ``custom_id`` in a component tree (rows, labels, sections' accessories)."""
    for component in components:
        if "custom_id" in component:
            yield component["custom_id"]
        for key in ("components", "accessory", "component"):
            inner = component.get(key)
            if isinstance(inner, Mapping):
                yield from custom_ids([inner])
            elif isinstance(inner, list):
                yield from custom_ids(inner)


def _as_int(value: Any) -> int:
    return int(value.id if hasattr(value, "id") else value)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

ChannelSpec = int | tuple[int, str] | Mapping[str, Any]
_Handler = Callable[..., Awaitable[_Reply]]


class FakeDiscord:
    """Discord's gateway and REST API on 127.0.0.1, with inspectable state, for tests.

    Start it with ``with FakeDiscord(...) as fake`` (or ``async with``); it serves from a
    background thread until the block ends. Point discord.py at it with
    ``fake.patch_route_base()``. All public methods are thread-safe; the ``async`` ones may be
    awaited from any event loop except the fake's own.
    """

    def __init__(
        self,
        *,
        application_id: int = 900000000000000001,
        bot_user_id: int | None = None,
        guild_id: int = 900000000000000100,
        channels: Iterable[ChannelSpec] = (),
        bot_name: str = "mentorbot",
        guild_name: str = "Mentoring",
        token: str | None = None,
        allowed_intents: int = PRIVILEGED_INTENTS,
        interaction_timeout: float | None = None,
        nonce_window: float = 300.0,
        compress: bool = True,
    ) -> None:
        """Set up the guild, its roles, the bot user and its member, and the given channels.

        ``token``: when set, REST calls and IDENTIFY with another token fail (401 / close 4004).
        ``allowed_intents``: privileged intents "enabled in the developer portal"; asking for
        others closes the gateway with 4014, as Discord does.
        ``interaction_timeout``: when set (Discord uses 3 s), a callback arriving later fails
        with 10062 Unknown interaction.
        ``nonce_window``: how long ``enforce_nonce`` remembers a nonce.
        ``compress``: honour ``compress=zlib-stream`` with binary zlib frames (else send text).
        """
        self.application_id = int(application_id)
        self.bot_user_id = int(bot_user_id if bot_user_id is not None else application_id)
        self.guild_id = int(guild_id)
        self.guild_name = guild_name
        self.bot_name = bot_name
        self.owner_id = self.guild_id + 7
        self.token = token
        self.allowed_intents = allowed_intents
        self.interaction_timeout = interaction_timeout
        self.nonce_window = nonce_window
        self.compress = compress

        self._lock = threading.RLock()
        self._last_id = 0
        self._created_at = _now_iso()

        self._users: dict[int, dict[str, Any]] = {}
        self._members: dict[int, dict[str, Any]] = {}
        self._roles: dict[int, dict[str, Any]] = {}
        self._channels: dict[int, dict[str, Any]] = {}
        self._thread_members: dict[int, dict[int, str]] = {}
        self._channel_messages: dict[int, list[dict[str, Any]]] = {}
        self._message_index: dict[int, dict[str, Any]] = {}
        self._attachments: dict[int, UploadedFile] = {}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._dm_channels: dict[int, int] = {}
        self._dm_blocked: set[int] = set()
        self._commands: dict[int | None, list[dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._sync_history: list[SyncRecord] = []
        self._interactions: dict[int, _Interaction] = {}
        self._interactions_by_token: dict[str, _Interaction] = {}
        self._interaction_responses: list[InteractionResponse] = []
        self._modals: dict[str, dict[str, Any]] = {}
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._sessions: dict[str, _Session] = {}
        self._connections: set[_Connection] = set()
        self._gateway_received: list[dict[str, Any]] = []
        self._gateway_queries: list[dict[str, str]] = []
        self._ready_count = 0
        self._internal_errors: list[str] = []

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self.port = 0

        self._routes: list[tuple[str, re.Pattern[str], _Handler]] = []
        self._install_routes()

        self._roles[self.guild_id] = self._role_payload(
            self.guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0
        )
        self._bot_role_id = self._snowflake()
        bot_role = self._role_payload(self._bot_role_id, bot_name, BOT_ROLE_PERMISSIONS, position=1)
        bot_role["managed"] = True
        bot_role["tags"] = {"bot_id": str(self.bot_user_id)}
        self._roles[self._bot_role_id] = bot_role
        self._users[self.bot_user_id] = self._user_payload(self.bot_user_id, bot_name, bot=True)
        self._members[self.bot_user_id] = self._member_record(self.bot_user_id, [self._bot_role_id])
        for spec in channels:
            if isinstance(spec, Mapping):
                self.add_channel(
                    int(spec["id"]), spec.get("name"), type=int(spec.get("type", CHANNEL_TEXT))
                )
            elif isinstance(spec, tuple):
                self.add_channel(int(spec[0]), spec[1])
            else:
                self.add_channel(int(spec))

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeDiscord:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._thread_main, name="fake-discord", daemon=True)
        self._thread.start()
        self._started.wait(10)
        if self._start_error is not None:
            raise RuntimeError("FakeDiscord failed to start") from self._start_error
        return self

    def stop(self) -> None:
        """Close every gateway connection and the server, then end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeDiscord:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeDiscord:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start_server())
        except BaseException as exc:  # surfaced by start()
            self._start_error = exc
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._stop_server())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _start_server(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._gateway)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", "/api/{version:v\\d+}/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop_server(self) -> None:
        for conn in list(self._connections):
            conn.closed = True
            with contextlib.suppress(Exception):
                await conn.close(1001, b"fake discord shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---------------------------------------------------------------- addresses and patching

    @property
    def http_base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be: ``http://127.0.0.1:PORT/api/v10``."""
        return f"{self.http_base}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The websocket URL (returned by ``/gateway`` and used as ``resume_gateway_url``)."""
        return f"ws://127.0.0.1:{self.port}/"

    @contextlib.contextmanager
    def patch_route_base(self) -> Iterator[None]:
        """Point discord.py's REST base URL *and* default gateway URL at the fake, then restore.

        discord.py 2.x never asks ``/gateway/bot`` for a single-shard client: it connects to
        ``DiscordWebSocket.DEFAULT_GATEWAY`` (``wss://gateway.discord.gg/``) and later to the
        READY's ``resume_gateway_url``. So both class attributes are patched. Webhook and
        interaction calls build the same ``Route`` class, so they follow too.
        """
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.rest_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # ---------------------------------------------------------------- cross-thread plumbing

    def _snowflake(self) -> int:
        with self._lock:
            candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            self._last_id = max(self._last_id + 1, candidate)
            return self._last_id

    def _on_fake_loop(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def _run_sync(self, coro: Awaitable[Any]) -> Any:
        """Run ``coro`` on the fake's loop and wait for it (from any other thread)."""
        loop = self._loop
        if loop is None or not loop.is_running():
            coro.close()  # type: ignore[attr-defined]
            return None
        if self._on_fake_loop():
            return loop.create_task(coro)  # type: ignore[arg-type]
        future = asyncio.run_coroutine_threadsafe(coro, loop)  # type: ignore[arg-type]
        return future.result(10)

    async def _run_async(self, coro: Awaitable[Any]) -> Any:
        """Run ``coro`` on the fake's loop and await it from the caller's loop."""
        loop = self._loop
        if loop is None or not loop.is_running():
            coro.close()  # type: ignore[attr-defined]
            raise RuntimeError("FakeDiscord is not running; use `with FakeDiscord(...)`")
        if self._on_fake_loop():
            return await coro
        future = asyncio.run_coroutine_threadsafe(coro, loop)  # type: ignore[arg-type]
        return await asyncio.wrap_future(future)

    # ---------------------------------------------------------------- test-facing setup

    def add_user(self, user_id: int, name: str, *, bot: bool = False) -> int:
        """A Discord user who is not (or no longer) in the guild."""
        with self._lock:
            self._users[int(user_id)] = self._user_payload(int(user_id), name, bot=bot)
        return int(user_id)

    def add_member(
        self,
        user_id: int,
        name: str,
        roles: Iterable[int] = (),
        bot: bool = False,
        *,
        nick: str | None = None,
        global_name: str | None = None,
        dms_open: bool = True,
    ) -> int:
        """Add a guild member; unknown role ids are created. Tells a connected bot
        (GUILD_MEMBER_ADD, if it has the members intent)."""
        uid = int(user_id)
        role_ids = [int(r) for r in roles]
        with self._lock:
            for role_id in role_ids:
                if role_id not in self._roles:
                    self._roles[role_id] = self._role_payload(
                        role_id, f"role-{role_id}", 0, position=len(self._roles)
                    )
            self._users[uid] = self._user_payload(uid, name, bot=bot, global_name=global_name)
            self._members[uid] = self._member_record(uid, role_ids, nick=nick)
            if not dms_open:
                self._dm_blocked.add(uid)
            event = {**self._member_payload(uid), "guild_id": str(self.guild_id)}
        self._run_sync(self._dispatch_all("GUILD_MEMBER_ADD", event, intent=INTENT_GUILD_MEMBERS))
        return uid

    def remove_member(self, user_id: int) -> None:
        """The member leaves the guild (GUILD_MEMBER_REMOVE); later lookups answer 10007."""
        uid = int(user_id)
        with self._lock:
            self._members.pop(uid, None)
            for members in self._thread_members.values():
                members.pop(uid, None)
            user = copy.deepcopy(self._users.get(uid) or self._user_payload(uid, str(uid)))
        event = {"guild_id": str(self.guild_id), "user": user}
        self._run_sync(
            self._dispatch_all("GUILD_MEMBER_REMOVE", event, intent=INTENT_GUILD_MEMBERS)
        )

    def add_role(self, role_id: int, name: str, permissions: int = 0) -> int:
        """A guild role (members get its permissions OR-ed into @everyone's)."""
        with self._lock:
            self._roles[int(role_id)] = self._role_payload(
                int(role_id), name, permissions, position=len(self._roles)
            )
        return int(role_id)

    def add_channel(
        self,
        channel_id: int,
        name: str | None = None,
        type: int = CHANNEL_TEXT,  # Discord's field name
        *,
        parent_id: int | None = None,
        topic: str | None = None,
    ) -> int:
        """A guild channel (text by default). Tells a connected bot (CHANNEL_CREATE)."""
        cid = int(channel_id)
        with self._lock:
            position = sum(1 for c in self._channels.values() if c.get("guild_id"))
            payload = {
                "id": str(cid),
                "type": int(type),
                "guild_id": str(self.guild_id),
                "name": name or f"channel-{cid}",
                "position": position,
                "permission_overwrites": [],
                "topic": topic,
                "nsfw": False,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "parent_id": str(parent_id) if parent_id else None,
                "default_auto_archive_duration": 1440,
                "flags": 0,
            }
            self._channels[cid] = payload
            self._channel_messages.setdefault(cid, [])
            event = copy.deepcopy(payload)
        self._run_sync(self._dispatch_all("CHANNEL_CREATE", event, intent=INTENT_GUILDS))
        return cid

    def block_dms(self, user_id: int, blocked: bool = True) -> None:
        """Messages to this user's DM channel fail with 403/50007, as when DMs are closed."""
        with self._lock:
            if blocked:
                self._dm_blocked.add(int(user_id))
            else:
                self._dm_blocked.discard(int(user_id))

    def dm_channel_id(self, user_id: int) -> int:
        """The (stable) DM channel id between the bot and this user, creating it if needed."""
        with self._lock:
            return int(self._open_dm(int(user_id))["id"])

    def fail_next(
        self,
        method: str,
        path: str,
        status: int = 400,
        code: int = 0,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        global_: bool = False,
        errors: dict[str, Any] | None = None,
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` requests matching ``method path`` fail (None: until
        ``clear_failures``). ``path`` is literal or a template (``/channels/{id}/messages``).
        ``status=429`` answers Discord's rate-limit body and headers with ``retry_after``."""
        failure = _Failure(
            method=method.upper(),
            pattern=_template_regex(_path_of(path), named=False),
            status=status,
            code=code,
            message=message if message is not None else ERROR_MESSAGES.get(code, ""),
            retry_after=retry_after,
            is_global=global_,
            errors=errors,
            remaining=times,
        )
        with self._lock:
            self._failures.append(failure)

    def clear_failures(self) -> None:
        """Forget every pending ``fail_next``."""
        with self._lock:
            self._failures.clear()

    # ---------------------------------------------------------------- test-facing inspection

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST request so far, oldest first (including failed and unknown ones)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str | None, path: str) -> list[RecordedRequest]:
        """Requests whose method (None or ``*``: any) and path (literal or template) match."""
        pattern = _template_regex(_path_of(path), named=False)
        wanted = None if method in (None, "*") else method.upper()
        return [
            r
            for r in self.requests
            if (wanted is None or r.method == wanted) and pattern.match(r.path)
        ]

    def clear_requests(self) -> None:
        """Forget recorded requests (state such as messages is kept)."""
        with self._lock:
            self._requests.clear()

    def messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages now in the channel (or thread, or DM), oldest first, as Discord's JSON.

        Ephemeral interaction replies are not channel messages; see ``interaction_responses``.
        """
        with self._lock:
            return copy.deepcopy(self._channel_messages.get(int(channel_id), []))

    def message(self, message_id: int) -> dict[str, Any] | None:
        """One message by id, ephemeral ones included."""
        with self._lock:
            found = self._message_index.get(int(message_id))
            return copy.deepcopy(found) if found else None

    def attachment_data(self, attachment_id: int) -> bytes:
        """The bytes of an uploaded attachment."""
        with self._lock:
            return self._attachments[int(attachment_id)].data

    @property
    def threads(self) -> list[dict[str, Any]]:
        """Threads created, as channel JSON plus ``member_ids`` (ints, the bot included)."""
        with self._lock:
            out = []
            for cid, payload in self._channels.items():
                if payload["type"] in THREAD_TYPES:
                    item = copy.deepcopy(payload)
                    item["member_ids"] = list(self._thread_members.get(cid, {}))
                    out.append(item)
            return out

    def channel(self, channel_id: int) -> dict[str, Any] | None:
        """A channel's current JSON (guild channel, thread or DM)."""
        with self._lock:
            found = self._channels.get(int(channel_id))
            return copy.deepcopy(found) if found else None

    @property
    def interaction_responses(self) -> list[InteractionResponse]:
        """Everything the bot answered to interactions, oldest first."""
        with self._lock:
            return list(self._interaction_responses)

    def responses_for(self, interaction_id: int) -> list[InteractionResponse]:
        """The answers to one interaction, oldest first."""
        return [r for r in self.interaction_responses if r.interaction_id == int(interaction_id)]

    @property
    def synced_commands(self) -> list[dict[str, Any]]:
        """The application commands now registered (global, then guild), with their ids."""
        with self._lock:
            out: list[dict[str, Any]] = []
            for scope in sorted(self._commands, key=lambda s: -1 if s is None else s):
                out.extend(copy.deepcopy(self._commands[scope]))
            return out

    @property
    def sync_count(self) -> int:
        """How many bulk overwrites (``PUT .../commands``) the bot made."""
        with self._lock:
            return len(self._sync_history)

    @property
    def sync_history(self) -> list[SyncRecord]:
        """Every bulk overwrite, oldest first."""
        with self._lock:
            return list(self._sync_history)

    @property
    def gateway_received(self) -> list[dict[str, Any]]:
        """Every gateway payload the bot sent (IDENTIFY, heartbeats, RESUME, chunk requests)."""
        with self._lock:
            return copy.deepcopy(self._gateway_received)

    @property
    def gateway_queries(self) -> list[dict[str, str]]:
        """The query string of each websocket connection (``v``, ``encoding``, ``compress``)."""
        with self._lock:
            return copy.deepcopy(self._gateway_queries)

    @property
    def ready_count(self) -> int:
        """How many sessions got READY + GUILD_CREATE (each IDENTIFY counts)."""
        with self._lock:
            return self._ready_count

    @property
    def internal_errors(self) -> list[str]:
        """Exceptions inside the fake itself (answered as 400s); tests may assert it is empty."""
        with self._lock:
            return list(self._internal_errors)

    def is_connected(self) -> bool:
        """Whether a bot session is connected and has been sent READY."""
        with self._lock:
            return any(
                s.ready and s.connection is not None and not s.connection.closed
                for s in self._sessions.values()
            )

    # ---------------------------------------------------------------- waiting

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01
    ) -> Any:
        """Poll ``predicate()`` until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s: {predicate!r}")
            await asyncio.sleep(interval)

    def wait_for_sync(
        self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01
    ) -> Any:
        """``wait_for`` for code with no running event loop."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s: {predicate!r}")
            time.sleep(interval)

    async def wait_ready(self, timeout: float = 10.0, *, count: int | None = None) -> None:
        """Wait until a bot IDENTIFYed and was sent READY and GUILD_CREATE on an open socket.

        ``count``: also wait until ``ready_count`` reaches it; pass ``fake.ready_count + 1``
        (read before a restart) to be sure the *new* session is the ready one. The client may
        still be chunking members; ``client.wait_until_ready()`` waits for that (and for its
        ``guild_ready_timeout``: 2 s unless the client is built with less).
        """
        await self.wait_for(
            lambda: self.is_connected() and (count is None or self.ready_count >= count), timeout
        )

    async def wait_for_response(
        self, interaction_id: int, timeout: float = 5.0, kind: str = "callback"
    ) -> InteractionResponse:
        """The first answer of ``kind`` to this interaction, once it arrives."""

        def found() -> InteractionResponse | None:
            for response in self.responses_for(interaction_id):
                if response.kind == kind:
                    return response
            return None

        return await self.wait_for(found, timeout)

    # ---------------------------------------------------------------- gateway control

    async def dispatch(self, event: str, data: Mapping[str, Any]) -> None:
        """Send any DISPATCH event (op 0) to every live bot session."""
        await self._run_async(self._dispatch_all(event, dict(data)))

    async def send_interaction(self, payload: Mapping[str, Any]) -> int:
        """Dispatch INTERACTION_CREATE to the connected bot(s); returns the interaction id.

        Like Discord, every connected session of the bot receives it (two running copies of a
        bot both try to answer, and the second gets 40060 "already acknowledged").
        """
        data = copy.deepcopy(dict(payload))
        data.setdefault("id", str(self._snowflake()))
        data.setdefault("token", "fake-token-" + secrets.token_urlsafe(24))
        data.setdefault("application_id", str(self.application_id))
        data.setdefault("version", 1)
        user = data.get("member", {}).get("user") or data.get("user") or {}
        record = _Interaction(
            id=int(data["id"]),
            token=data["token"],
            type=int(data["type"]),
            channel_id=int(data.get("channel_id") or 0),
            user_id=int(user.get("id") or 0),
            payload=data,
            created=time.monotonic(),
        )
        with self._lock:
            if not any(s.ready for s in self._sessions.values()):
                raise RuntimeError("no bot session is connected to the fake gateway")
            self._interactions[record.id] = record
            self._interactions_by_token[record.token] = record
        await self._run_async(self._dispatch_all("INTERACTION_CREATE", data))
        return record.id

    async def interact(
        self, payload: Mapping[str, Any], timeout: float = 5.0
    ) -> InteractionResponse:
        """Send an interaction and return the bot's callback (its first answer)."""
        interaction_id = await self.send_interaction(payload)
        return await self.wait_for_response(interaction_id, timeout)

    async def user_message(
        self, channel_id: int, user_id: int, content: str, **extra: Any
    ) -> dict[str, Any]:
        """A member posts a message (MESSAGE_CREATE); without the message-content intent
        the bot gets it with empty content unless it is a DM or mentions the bot."""
        return await self._run_async(
            self._user_message(int(channel_id), int(user_id), content, extra)
        )

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's websocket(s) with ``code``; the session stays resumable."""
        await self._run_async(self._close_connections(code))

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT (the bot should reconnect and RESUME)."""
        await self._run_async(self._send_op_all({"op": 7, "d": None}))

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (the bot must IDENTIFY again unless ``resumable``)."""
        with self._lock:
            if not resumable:
                for session in self._sessions.values():
                    session.resumable = False
        await self._run_async(self._send_op_all({"op": 9, "d": resumable}))

    # ---------------------------------------------------------------- interaction builders

    def slash(
        self,
        name: str,
        user_id: int,
        channel_id: int,
        subcommand: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for ``/name [group] [subcommand] option:value ...``.

        The command (and its id, scope and option types) comes from what the bot synced, so
        a command that was never synced, an unknown option or a missing required option
        raises, as the Discord client would never send it. ``subcommand`` may be
        ``"group sub"``. User/channel/role options take ids and get ``resolved`` data.
        """
        command = self._find_command(name, channel_id)
        data, _ = self._command_data(command, subcommand, options or {}, focused=None)
        payload = self._interaction_base(INTERACTION_APP_COMMAND, user_id, channel_id)
        payload["data"] = data
        return payload

    def autocomplete(
        self,
        name: str,
        user_id: int,
        channel_id: int,
        subcommand: str | None,
        focused_option: str,
        value: str,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An autocomplete (type 4) payload: ``focused_option`` is being typed as ``value``
        (always a string, as Discord sends partial input), other options already filled."""
        command = self._find_command(name, channel_id)
        data, _ = self._command_data(
            command, subcommand, options or {}, focused=(focused_option, str(value))
        )
        payload = self._interaction_base(INTERACTION_AUTOCOMPLETE, user_id, channel_id)
        payload["data"] = data
        return payload

    def button(
        self,
        custom_id: str,
        user_id: int,
        channel_id: int,
        message_id: int,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        strict: bool = True,
    ) -> dict[str, Any]:
        """A component (type 3) payload: a click on ``custom_id`` of message ``message_id``.

        The message JSON is the one the fake stored; with ``strict``, a custom_id that the
        message does not carry raises (no user could click it).
        """
        payload = self._interaction_base(INTERACTION_COMPONENT, user_id, channel_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        payload["data"] = data
        with self._lock:
            stored = self._message_index.get(int(message_id))
            message = copy.deepcopy(stored) if stored else None
        if message is None:
            message = self._synthetic_message(int(message_id), int(channel_id), custom_id)
        elif strict and custom_id not in set(custom_ids(message.get("components", []))):
            raise ValueError(
                f"message {message_id} has no component with custom_id {custom_id!r}; "
                f"it has {sorted(custom_ids(message.get('components', [])))}"
            )
        payload["message"] = message
        return payload

    def select(
        self,
        custom_id: str,
        user_id: int,
        channel_id: int,
        message_id: int,
        values: Sequence[str],
        *,
        component_type: int = 3,
    ) -> dict[str, Any]:
        """A select-menu choice (a component interaction with ``values``)."""
        return self.button(
            custom_id, user_id, channel_id, message_id, component_type=component_type, values=values
        )

    def modal_submit(
        self,
        custom_id: str,
        user_id: int,
        channel_id: int,
        values: Mapping[str, str | Sequence[str]],
        *,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """A modal submit (type 5) payload with ``values`` keyed by each input's custom_id.

        The component tree mirrors the last modal the bot opened with this custom_id (action
        rows or labels), and required inputs, lengths and unknown ids are checked as the
        Discord client would.
        """
        with self._lock:
            modal = copy.deepcopy(self._modals.get(custom_id))
        remaining = dict(values)
        if modal is not None:
            components = [self._mirror_modal_component(c, remaining) for c in modal["components"]]
            if remaining:
                raise ValueError(f"modal {custom_id!r} has no inputs {sorted(remaining)}")
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": key, "value": str(value)}]}
                for key, value in remaining.items()
            ]
        payload = self._interaction_base(INTERACTION_MODAL_SUBMIT, user_id, channel_id)
        payload["data"] = {"custom_id": custom_id, "components": components}
        if message_id is not None:
            with self._lock:
                stored = self._message_index.get(int(message_id))
                message = copy.deepcopy(stored) if stored else None
            payload["message"] = message or self._synthetic_message(
                int(message_id), int(channel_id), None
            )
        return payload

    # ---------------------------------------------------------------- payload builders

    def _user_payload(
        self, user_id: int, name: str, *, bot: bool = False, global_name: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": global_name if global_name is not None else (None if bot else name),
            "avatar": None,
            "bot": bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }

    def _role_payload(
        self, role_id: int, name: str, permissions: int, *, position: int
    ) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _member_record(
        self, user_id: int, role_ids: list[int], *, nick: str | None = None
    ) -> dict[str, Any]:
        return {
            "roles": [str(r) for r in role_ids],
            "nick": nick,
            "avatar": None,
            "banner": None,
            "joined_at": _now_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }

    def _member_payload(self, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        member = copy.deepcopy(self._members[user_id])
        if with_user:
            member["user"] = copy.deepcopy(self._users[user_id])
        return member

    def _permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self._members.get(user_id)
        if member is None:
            return 0
        perms = int(self._roles[self.guild_id]["permissions"])
        for role_id in member["roles"]:
            role = self._roles.get(int(role_id))
            if role is not None:
                perms |= int(role["permissions"])
        return ALL_PERMISSIONS if perms & PERM_ADMINISTRATOR else perms

    def _guild_payload(self, *, full: bool, intents: int = 0) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": copy.deepcopy(list(self._roles.values())),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }
        if full:
            # Without the presences intent Discord sends only the bot's own member; the rest
            # come from REQUEST_GUILD_MEMBERS chunks (discord.py asks when it has members).
            if intents & INTENT_GUILD_PRESENCES:
                member_ids = list(self._members)
            else:
                member_ids = [self.bot_user_id]
            payload.update(
                {
                    "joined_at": self._created_at,
                    "large": False,
                    "unavailable": False,
                    "member_count": len(self._members),
                    "voice_states": [],
                    "members": [self._member_payload(uid) for uid in member_ids],
                    "channels": [
                        copy.deepcopy(c)
                        for c in self._channels.values()
                        if c.get("guild_id") and c["type"] not in THREAD_TYPES
                    ],
                    "threads": [
                        self._thread_for_bot(cid)
                        for cid, c in self._channels.items()
                        if c["type"] in THREAD_TYPES
                        and not c["thread_metadata"]["archived"]
                        and (
                            c["type"] != CHANNEL_PRIVATE_THREAD
                            or self.bot_user_id in self._thread_members.get(cid, {})
                        )
                    ],
                    "presences": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return payload

    def _thread_for_bot(self, thread_id: int) -> dict[str, Any]:
        """A thread's JSON with ``member`` (the bot's own thread membership) when it is in it."""
        payload = copy.deepcopy(self._channels[thread_id])
        joined = self._thread_members.get(thread_id, {}).get(self.bot_user_id)
        if joined is not None:
            payload["member"] = {
                "id": str(thread_id),
                "user_id": str(self.bot_user_id),
                "join_timestamp": joined,
                "flags": 0,
            }
        return payload

    def _application_payload(self) -> dict[str, Any]:
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        if self.allowed_intents & INTENT_GUILD_PRESENCES:
            flags |= 1 << 13
        if self.allowed_intents & INTENT_GUILD_MEMBERS:
            flags |= 1 << 15
        if self.allowed_intents & INTENT_MESSAGE_CONTENT:
            flags |= 1 << 19
        return {
            "id": str(self.application_id),
            "name": self.bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "rpc_origins": [],
            "bot_public": False,
            "bot_require_code_grant": False,
            "bot": copy.deepcopy(self._users[self.bot_user_id]),
            "owner": self._user_payload(self.owner_id, "owner"),
            "team": None,
            "verify_key": "0" * 64,
            "flags": flags,
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": 1,
            "integration_types_config": {"0": {}},
        }

    def _interaction_base(self, itype: int, user_id: int, channel_id: int) -> dict[str, Any]:
        uid, cid = _as_int(user_id), _as_int(channel_id)
        with self._lock:
            channel = self._channels.get(cid)
            if channel is None:
                raise ValueError(f"unknown channel {cid}; add it with add_channel()")
            payload: dict[str, Any] = {
                "id": str(self._snowflake()),
                "application_id": str(self.application_id),
                "type": itype,
                "token": "fake-token-" + secrets.token_urlsafe(24),
                "version": 1,
                "channel_id": str(cid),
                "locale": "en-US",
                "entitlements": [],
                "attachment_size_limit": 10 * 1024 * 1024,
                "app_permissions": str(self._permissions(self.bot_user_id)),
            }
            if channel.get("guild_id"):
                if uid not in self._members:
                    raise ValueError(f"user {uid} is not a guild member; add_member() first")
                perms = self._permissions(uid)
                member = self._member_payload(uid)
                member["permissions"] = str(perms)
                channel_payload = copy.deepcopy(channel)
                channel_payload["permissions"] = str(perms)
                payload.update(
                    {
                        "guild_id": str(self.guild_id),
                        "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                        "guild_locale": "en-US",
                        "member": member,
                        "channel": channel_payload,
                        "authorizing_integration_owners": {"0": str(self.guild_id)},
                        "context": 0,
                    }
                )
            else:
                if uid not in self._users:
                    raise ValueError(f"unknown user {uid}; add_user() or add_member() first")
                payload.update(
                    {
                        "user": copy.deepcopy(self._users[uid]),
                        "channel": copy.deepcopy(channel),
                        "authorizing_integration_owners": {"0": str(self.guild_id)},
                        "context": 1,
                    }
                )
        return payload

    def _find_command(self, name: str, channel_id: int, ctype: int = 1) -> dict[str, Any]:
        """The synced command a user could pick here (guild commands only exist in the guild)."""
        with self._lock:
            channel = self._channels.get(_as_int(channel_id)) or {}
            scopes = (self.guild_id, None) if channel.get("guild_id") else (None,)
            for scope in scopes:
                for command in self._commands.get(scope, []):
                    if command["name"] == name and int(command.get("type", 1)) == ctype:
                        return copy.deepcopy(command)
            known = sorted(c["name"] for cmds in self._commands.values() for c in cmds)
        raise LookupError(f"command /{name} was never synced to the fake (synced: {known})")

    def _command_data(
        self,
        command: dict[str, Any],
        subcommand: str | None,
        given: Mapping[str, Any],
        *,
        focused: tuple[str, str] | None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        top: list[dict[str, Any]] = []
        current = top
        spec_options: list[dict[str, Any]] = command.get("options", [])
        for part in (subcommand or "").split():
            sub = next((o for o in spec_options if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise ValueError(f"/{command['name']} has no subcommand {part!r}")
            node: dict[str, Any] = {"type": sub["type"], "name": part, "options": []}
            current.append(node)
            current = node["options"]
            spec_options = sub.get("options", [])
        if any(o["type"] in (1, 2) for o in spec_options):
            names = [o["name"] for o in spec_options]
            raise ValueError(f"/{command['name']} needs a subcommand, one of {names}")
        by_name = {o["name"]: o for o in spec_options}
        resolved: dict[str, Any] = {}
        for key, value in given.items():
            spec = by_name.get(key)
            if spec is None:
                raise ValueError(
                    f"/{command['name']} has no option {key!r}; it has {list(by_name)}"
                )
            current.append(
                {"type": spec["type"], "name": key, "value": self._coerce(spec, value, resolved)}
            )
        if focused is not None:
            name, typed = focused
            spec = by_name.get(name)
            if spec is None:
                raise ValueError(f"/{command['name']} has no option {name!r}")
            if not spec.get("autocomplete"):
                raise ValueError(f"option {name!r} of /{command['name']} has no autocomplete")
            current.append({"type": spec["type"], "name": name, "value": typed, "focused": True})
        else:
            missing = [
                o["name"] for o in spec_options if o.get("required") and o["name"] not in given
            ]
            if missing:
                raise ValueError(f"/{command['name']} is missing required options {missing}")
        if top:
            data["options"] = top
        if resolved:
            data["resolved"] = resolved
        return data, resolved

    def _coerce(self, spec: dict[str, Any], value: Any, resolved: dict[str, Any]) -> Any:
        otype = spec["type"]
        if otype == 3:
            out: Any = str(value)
        elif otype == 4:
            out = int(value)
        elif otype == 5:
            out = bool(value)
        elif otype == 10:
            out = float(value)
        elif otype in (6, 9) and (otype == 6 or _as_int(value) not in self._roles):
            uid = _as_int(value)
            with self._lock:
                if uid not in self._users:
                    raise ValueError(f"unknown user {uid} for option {spec['name']!r}")
                resolved.setdefault("users", {})[str(uid)] = copy.deepcopy(self._users[uid])
                if uid in self._members:
                    member = self._member_payload(uid, with_user=False)
                    member["permissions"] = str(self._permissions(uid))
                    resolved.setdefault("members", {})[str(uid)] = member
            out = str(uid)
        elif otype in (8, 9):
            rid = _as_int(value)
            with self._lock:
                if rid not in self._roles:
                    raise ValueError(f"unknown role {rid} for option {spec['name']!r}")
                resolved.setdefault("roles", {})[str(rid)] = copy.deepcopy(self._roles[rid])
            out = str(rid)
        elif otype == 7:
            cid = _as_int(value)
            with self._lock:
                channel = self._channels.get(cid)
                if channel is None:
                    raise ValueError(f"unknown channel {cid} for option {spec['name']!r}")
                partial = {
                    k: copy.deepcopy(channel[k])
                    for k in ("id", "name", "type", "parent_id", "thread_metadata", "guild_id")
                    if k in channel
                }
                partial["permissions"] = str(ALL_PERMISSIONS)
                resolved.setdefault("channels", {})[str(cid)] = partial
            out = str(cid)
        else:
            raise ValueError(f"option type {otype} is not supported by the fake")
        choices = spec.get("choices")
        if choices and out not in [c["value"] for c in choices]:
            raise ValueError(f"{out!r} is not a choice of option {spec['name']!r}: {choices}")
        return out

    def _mirror_modal_component(
        self, component: dict[str, Any], values: dict[str, Any]
    ) -> dict[str, Any]:
        ctype = component["type"]
        out: dict[str, Any] = {"type": ctype}
        if component.get("id") is not None:
            out["id"] = component["id"]
        if ctype == 1:
            out["components"] = [
                self._mirror_modal_component(c, values) for c in component["components"]
            ]
        elif ctype == 18:
            out["component"] = self._mirror_modal_component(component["component"], values)
        elif ctype == 4:
            custom_id = component["custom_id"]
            if custom_id in values:
                value = str(values.pop(custom_id))
            elif component.get("required", True):
                raise ValueError(f"required modal input {custom_id!r} has no value")
            else:
                value = str(component.get("value") or "")
            if value or component.get("required", True):
                low, high = component.get("min_length", 0), component.get("max_length", 4000)
                if not low <= len(value) <= high:
                    raise ValueError(f"{custom_id!r} must be {low}..{high} characters")
            out.update({"custom_id": custom_id, "value": value})
        elif "custom_id" in component:
            custom_id = component["custom_id"]
            raw = values.pop(custom_id, [])
            out.update(
                {"custom_id": custom_id, "values": [raw] if isinstance(raw, str) else list(raw)}
            )
        return out

    def _synthetic_message(
        self, message_id: int, channel_id: int, custom_id: str | None
    ) -> dict[str, Any]:
        components = []
        if custom_id is not None:
            components = [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 1, "label": "?", "custom_id": custom_id}],
                }
            ]
        return {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "type": 0,
            "content": "",
            "author": copy.deepcopy(self._users[self.bot_user_id]),
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "flags": 0,
            "components": components,
        }

    # ---------------------------------------------------------------- gateway

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        # A short close timeout keeps stop() quick when a client vanished without closing.
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        await ws.prepare(request)
        query = dict(request.query)
        compressor = None
        if self.compress and query.get("compress") == "zlib-stream":
            compressor = zlib.compressobj()
        # zstd-stream is not available without a zstd compressor: plain text frames, which
        # discord.py accepts whatever it asked for.
        conn = _Connection(ws=ws, compressor=compressor, query=query)
        with self._lock:
            self._connections.add(conn)
            self._gateway_queries.append(query)
        try:
            await conn.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await conn.close(4002, b"Error while decoding payload.")
                    break
                with self._lock:
                    self._gateway_received.append(payload)
                await self._on_gateway_op(conn, payload)
                if ws.closed:
                    break
        except Exception as exc:
            self._note_internal_error(f"gateway: {exc!r}")
            raise
        finally:
            conn.closed = True
            with self._lock:
                self._connections.discard(conn)
                session = conn.session
                if session is not None and session.connection is conn:
                    session.connection = None
                    # A client closing with 1000/1001 ends its session; a drop or a 4xxx
                    # close from the fake leaves it resumable, as on Discord.
                    client_ended = conn.server_close_code is None and ws.close_code in (1000, 1001)
                    if client_ended or not session.resumable:
                        self._sessions.pop(session.session_id, None)
        return ws

    async def _on_gateway_op(self, conn: _Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == 1:
            await conn.send({"op": 11, "d": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif conn.session is None:
            await conn.close(4003, b"Not authenticated.")
        elif op == 8:
            await self._request_members(conn, data or {})
        elif op in (3, 4):
            return  # presence / voice state updates: nothing to answer
        else:
            await conn.close(4001, b"Unknown opcode.")

    async def _identify(self, conn: _Connection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005, b"Already authenticated.")
            return
        if self.token is not None and data.get("token") != self.token:
            await conn.close(4004, b"Authentication failed.")
            return
        intents = data.get("intents")
        if intents is None:
            await conn.close(4013, b"Invalid intent(s).")
            return
        if int(intents) & PRIVILEGED_INTENTS & ~self.allowed_intents:
            await conn.close(4014, b"Disallowed intent(s).")
            return
        session = _Session(session_id=secrets.token_hex(16), intents=int(intents), connection=conn)
        conn.session = session
        with self._lock:
            self._sessions[session.session_id] = session
            ready = {
                "v": 10,
                "user_settings": {},
                "user": {
                    **copy.deepcopy(self._users[self.bot_user_id]),
                    "verified": True,
                    "mfa_enabled": False,
                    "email": None,
                },
                "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.gateway_url,
                "application": {
                    "id": str(self.application_id),
                    "flags": self._application_payload()["flags"],
                },
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "guild_join_requests": [],
                "auth": {},
                "_trace": ['["fake-discord-gateway",{"micros":0}]'],
            }
            if "shard" in data:
                ready["shard"] = data["shard"]
        await self._dispatch_to(session, "READY", ready)
        with self._lock:
            guild = self._guild_payload(full=True, intents=session.intents)
        await self._dispatch_to(session, "GUILD_CREATE", guild)
        with self._lock:
            session.ready = True
            self._ready_count += 1

    async def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        with self._lock:
            session = self._sessions.get(str(data.get("session_id")))
            ok = (
                session is not None
                and session.resumable
                and (self.token is None or data.get("token") == self.token)
            )
        if not ok or session is None:
            await conn.send({"op": 9, "d": False})
            return
        old = session.connection
        if old is not None and old is not conn and not old.closed:
            await old.close(4000)
        session.connection = conn
        conn.session = session
        last_seq = int(data.get("seq") or 0)
        async with conn.send_lock:
            for event in list(session.events):
                if event["s"] > last_seq:
                    await conn.send(event)
        await self._dispatch_to(session, "RESUMED", {"_trace": ['["fake-discord-gateway"]']})

    async def _request_members(self, conn: _Connection, data: dict[str, Any]) -> None:
        session = conn.session
        assert session is not None
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        wanted = {int(u) for u in data.get("user_ids") or []}
        with self._lock:
            members = []
            not_found = []
            if wanted:
                for uid in wanted:
                    if uid in self._members:
                        members.append(self._member_payload(uid))
                    else:
                        not_found.append(str(uid))
            else:
                for uid in sorted(self._members):
                    if self._users[uid]["username"].lower().startswith(query):
                        members.append(self._member_payload(uid))
                if limit:
                    members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(self.guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        await self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch_to(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        """Send one DISPATCH with the session's next sequence number; buffer it for RESUME."""
        conn = session.connection
        lock = conn.send_lock if conn is not None else asyncio.Lock()
        async with lock:
            with self._lock:
                session.seq += 1
                payload = {"op": 0, "t": event, "s": session.seq, "d": data}
                session.events.append(payload)
                del session.events[:-MAX_EVENT_BUFFER]
            if conn is not None and session.connection is conn:
                await conn.send(payload)

    async def _dispatch_all(
        self,
        event: str,
        data: dict[str, Any],
        *,
        intent: int | None = None,
        transform: Callable[[_Session, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        with self._lock:
            sessions = [
                s
                for s in self._sessions.values()
                if s.ready and (intent is None or s.intents & intent)
            ]
        for session in sessions:
            payload = transform(session, copy.deepcopy(data)) if transform else copy.deepcopy(data)
            await self._dispatch_to(session, event, payload)

    async def _send_op_all(self, payload: dict[str, Any]) -> None:
        with self._lock:
            conns = [c for c in self._connections if c.session is not None and not c.closed]
        for conn in conns:
            async with conn.send_lock:
                await conn.send(payload)

    async def _close_connections(self, code: int) -> None:
        with self._lock:
            conns = [c for c in self._connections if not c.closed]
        for conn in conns:
            await conn.close(code)

    # ---------------------------------------------------------------- REST plumbing

    def _install_routes(self) -> None:
        add = self._add_route
        add("GET", "/gateway", self._get_gateway)
        add("GET", "/gateway/bot", self._get_gateway_bot)
        add("GET", "/users/@me", self._get_me)
        add("POST", "/users/@me/channels", self._create_dm)
        add("GET", "/users/{user_id}", self._get_user)
        add("GET", "/applications/@me", self._get_application)
        add("GET", "/oauth2/applications/@me", self._get_application)
        for prefix in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            add("GET", prefix + "/commands", self._list_commands)
            add("PUT", prefix + "/commands", self._bulk_commands)
            add("POST", prefix + "/commands", self._upsert_command)
            add("GET", prefix + "/commands/{command_id}", self._get_command)
            add("PATCH", prefix + "/commands/{command_id}", self._edit_command)
            add("DELETE", prefix + "/commands/{command_id}", self._delete_command)
        add("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback)
        add("POST", "/webhooks/{app_id}/{token}", self._followup)
        for verb, handler in (
            ("GET", self._webhook_get),
            ("PATCH", self._webhook_edit),
            ("DELETE", self._webhook_delete),
        ):
            add(verb, "/webhooks/{app_id}/{token}/messages/{message_id}", handler)
        add("GET", "/channels/{channel_id}", self._get_channel)
        add("PATCH", "/channels/{channel_id}", self._edit_channel)
        add("DELETE", "/channels/{channel_id}", self._delete_channel)
        add("GET", "/channels/{channel_id}/messages", self._history)
        add("POST", "/channels/{channel_id}/messages", self._create_message)
        add("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message)
        add("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message)
        add(
            "PUT",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
            self._no_content,
        )
        add(
            "DELETE",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
            self._no_content,
        )
        add("POST", "/channels/{channel_id}/typing", self._no_content)
        add("POST", "/channels/{channel_id}/threads", self._create_thread)
        add("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._create_thread)
        add("GET", "/channels/{channel_id}/thread-members", self._list_thread_members)
        add("GET", "/channels/{channel_id}/thread-members/{user_id}", self._get_thread_member)
        add("PUT", "/channels/{channel_id}/thread-members/{user_id}", self._add_thread_member)
        add("DELETE", "/channels/{channel_id}/thread-members/{user_id}", self._remove_thread_member)
        add("GET", "/guilds/{guild_id}", self._get_guild)
        add("GET", "/guilds/{guild_id}/channels", self._get_guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self._get_roles)
        add("GET", "/guilds/{guild_id}/threads/active", self._active_threads)
        add("GET", "/guilds/{guild_id}/members", self._list_members)
        add("GET", "/guilds/{guild_id}/members/search", self._search_members)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member)

    def _add_route(self, method: str, template: str, handler: _Handler) -> None:
        self._routes.append((method, _template_regex(template, named=True), handler))

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                name = getattr(part, "name", None) or ""
                data = await part.read()  # type: ignore[union-attr]
                if name == "payload_json":
                    body = json.loads(data.decode())
                else:
                    files.append(
                        UploadedFile(
                            field=name,
                            filename=getattr(part, "filename", None) or name,
                            content_type=part.headers.get(
                                "Content-Type", "application/octet-stream"
                            ),
                            data=bytes(data),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.method in (method, "*") and failure.pattern.match(path):
                    if failure.remaining is not None:
                        failure.remaining -= 1
                        if failure.remaining <= 0:
                            self._failures.remove(failure)
                    return failure
        return None

    def _note_internal_error(self, text: str) -> None:
        _log.error("fake discord: %s", text)
        with self._lock:
            self._internal_errors.append(text)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        try:
            body, files = await self._read_body(request)
        except ValueError:
            body, files = None, []
        record = RecordedRequest(
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=files,
        )
        with self._lock:
            self._requests.append(record)
        try:
            reply = await self._route(record)
        except _ApiError as error:
            reply = _Reply(error.status, error.body())
        except Exception as exc:  # a bug in the fake: answer 400 so discord.py fails fast
            _log.exception("fake discord crashed on %s %s", method, path)
            self._note_internal_error(f"{method} {path}: {exc!r}")
            reply = _Reply(400, {"message": f"fake discord error: {exc!r}", "code": 0})
        record.status = reply.status
        record.response = copy.deepcopy(reply.body)
        if reply.status == 204 or reply.body is None:
            return web.Response(status=reply.status, headers=reply.headers)
        return web.Response(
            status=reply.status,
            body=json.dumps(reply.body).encode(),
            content_type="application/json",  # exactly this: discord.py compares the header
            headers=reply.headers,
        )

    async def _route(self, record: RecordedRequest) -> _Reply:
        failure = self._take_failure(record.method, record.path)
        if failure is not None:
            return failure.reply()
        for method, pattern, handler in self._routes:
            match = pattern.match(record.path)
            if match is None or method != record.method:
                continue
            if not record.path.startswith(("/interactions/", "/webhooks/")):
                self._check_auth(record)
            return await handler(record, **match.groupdict())
        if any(p.match(record.path) for _, p, _ in self._routes):
            raise _ApiError(405, 0, "405: Method Not Allowed")
        raise _ApiError(404, 0, "404: Not Found")

    def _check_auth(self, record: RecordedRequest) -> None:
        auth = record.headers.get("Authorization", "")
        if not auth.startswith("Bot ") or (self.token is not None and auth[4:] != self.token):
            raise _ApiError(401, 0, "401: Unauthorized")

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=404,
            body=json.dumps({"message": "404: Not Found", "code": 0}).encode(),
            content_type="application/json",
        )

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            upload = self._attachments.get(int(request.match_info["attachment_id"]))
        if upload is None:
            return await self._not_found(request)
        return web.Response(body=upload.data, content_type=upload.content_type)

    async def _no_content(self, record: RecordedRequest, channel_id: str, **_: str) -> _Reply:
        with self._lock:
            self._channel_or_404(int(channel_id))
        return _Reply(204)

    # ---------------------------------------------------------------- REST: lookups

    def _channel_or_404(self, channel_id: int) -> dict[str, Any]:
        channel = self._channels.get(channel_id)
        if channel is None:
            raise _ApiError(404, 10003)
        return channel

    def _guild_or_404(self, guild_id: str) -> None:
        if int(guild_id) != self.guild_id:
            raise _ApiError(404, 10004)

    def _user_id(self, raw: str) -> int:
        return self.bot_user_id if raw == "@me" else int(raw)

    async def _get_gateway(self, record: RecordedRequest) -> _Reply:
        return _Reply(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, record: RecordedRequest) -> _Reply:
        return _Reply(
            200,
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86400000,
                    "max_concurrency": 1,
                },
            },
        )

    async def _get_me(self, record: RecordedRequest) -> _Reply:
        with self._lock:
            return _Reply(200, copy.deepcopy(self._users[self.bot_user_id]))

    async def _get_user(self, record: RecordedRequest, user_id: str) -> _Reply:
        with self._lock:
            user = self._users.get(self._user_id(user_id))
            if user is None:
                raise _ApiError(404, 10013)
            return _Reply(200, copy.deepcopy(user))

    async def _get_application(self, record: RecordedRequest) -> _Reply:
        with self._lock:
            return _Reply(200, self._application_payload())

    def _open_dm(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._users or user_id == self.bot_user_id:
            raise _ApiError(400, 50033)
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            channel_id = self._snowflake()
            self._dm_channels[user_id] = channel_id
            self._channels[channel_id] = {
                "id": str(channel_id),
                "type": CHANNEL_DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [copy.deepcopy(self._users[user_id])],
            }
            self._channel_messages[channel_id] = []
        return self._channels[channel_id]

    async def _create_dm(self, record: RecordedRequest) -> _Reply:
        body = record.json or {}
        if "recipient_id" not in body:
            raise _form_error("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
        with self._lock:
            return _Reply(200, copy.deepcopy(self._open_dm(int(body["recipient_id"]))))

    async def _get_guild(self, record: RecordedRequest, guild_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        with self._lock:
            payload = self._guild_payload(full=False)
            if record.query.get("with_counts") in ("true", "1", "True"):
                payload["approximate_member_count"] = len(self._members)
                payload["approximate_presence_count"] = 0
            return _Reply(200, payload)

    async def _get_guild_channels(self, record: RecordedRequest, guild_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        with self._lock:
            return _Reply(
                200,
                [
                    copy.deepcopy(c)
                    for c in self._channels.values()
                    if c.get("guild_id") and c["type"] not in THREAD_TYPES
                ],
            )

    async def _get_roles(self, record: RecordedRequest, guild_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        with self._lock:
            return _Reply(200, copy.deepcopy(list(self._roles.values())))

    async def _active_threads(self, record: RecordedRequest, guild_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        with self._lock:
            threads = [
                self._thread_for_bot(cid)
                for cid, c in self._channels.items()
                if c["type"] in THREAD_TYPES and not c["thread_metadata"]["archived"]
            ]
            members = [t.pop("member") for t in threads if "member" in t]
            return _Reply(200, {"threads": threads, "members": members})

    async def _list_members(self, record: RecordedRequest, guild_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        limit = min(int(record.query.get("limit", 1)), 1000)
        after = int(record.query.get("after", 0))
        with self._lock:
            ids = [uid for uid in sorted(self._members) if uid > after][:limit]
            return _Reply(200, [self._member_payload(uid) for uid in ids])

    async def _search_members(self, record: RecordedRequest, guild_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        query = record.query.get("query", "").lower()
        limit = min(int(record.query.get("limit", 1)), 1000)
        with self._lock:
            found = [
                self._member_payload(uid)
                for uid in sorted(self._members)
                if self._users[uid]["username"].lower().startswith(query)
                or (self._members[uid].get("nick") or "").lower().startswith(query)
            ]
            return _Reply(200, found[:limit])

    async def _get_member(self, record: RecordedRequest, guild_id: str, user_id: str) -> _Reply:
        self._guild_or_404(guild_id)
        with self._lock:
            uid = self._user_id(user_id)
            if uid not in self._members:
                raise _ApiError(404, 10007)
            return _Reply(200, self._member_payload(uid))

    # ---------------------------------------------------------------- REST: commands

    def _command_scope(self, app_id: str, guild_id: str | None) -> int | None:
        if int(app_id) != self.application_id:
            raise _ApiError(403, 50001)
        if guild_id is None:
            return None
        if int(guild_id) != self.guild_id:
            raise _ApiError(403, 50001)  # bot not in that guild / no applications.commands
        return self.guild_id

    def _validate_command(self, command: dict[str, Any], path: str) -> None:
        ctype = int(command.get("type", 1))
        name = command.get("name")
        if not isinstance(name, str) or not _COMMAND_NAME_RE.match(name):
            raise _form_error(
                f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if ctype == 1:
            if name != name.lower():
                raise _form_error(
                    f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            description = command.get("description") or ""
            if not 1 <= len(description) <= 100:
                raise _form_error(
                    f"{path}.description",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            self._validate_options(command.get("options") or [], f"{path}.options")
        elif command.get("description"):
            raise _form_error(
                f"{path}.description", "APPLICATION_COMMAND_INVALID_DESCRIPTION", "Must be empty."
            )

    def _validate_options(self, options: list[dict[str, Any]], path: str) -> None:
        if len(options) > 25:
            raise _form_error(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        seen: set[str] = set()
        optional_seen = False
        for index, option in enumerate(options):
            here = f"{path}.{index}"
            name = option.get("name", "")
            if not _COMMAND_NAME_RE.match(name) or name != name.lower():
                raise _form_error(
                    f"{here}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            if name in seen:
                raise _form_error(
                    here,
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            seen.add(name)
            if not 1 <= len(option.get("description") or "") <= 100:
                raise _form_error(
                    f"{here}.description",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            if option.get("type") in (1, 2):
                self._validate_options(option.get("options") or [], f"{here}.options")
                continue
            if option.get("required"):
                if optional_seen:
                    raise _form_error(
                        here,
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                optional_seen = True
            if len(option.get("choices") or []) > 25:
                raise _form_error(
                    f"{here}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            if option.get("choices") and option.get("autocomplete"):
                raise _form_error(
                    f"{here}.autocomplete",
                    "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
                    "Autocomplete cannot be set with choices",
                )

    def _register_command(self, scope: int | None, command: dict[str, Any]) -> dict[str, Any]:
        ctype = int(command.get("type", 1))
        key = (scope, command["name"], ctype)
        command_id = self._command_ids.get(key)
        if command_id is None:
            command_id = self._snowflake()
            self._command_ids[key] = command_id
        stored = copy.deepcopy(command)
        stored.update(
            {
                "id": str(command_id),
                "application_id": str(self.application_id),
                "type": ctype,
                "version": str(self._snowflake()),
                "default_member_permissions": command.get("default_member_permissions"),
                "nsfw": bool(command.get("nsfw", False)),
                "description": command.get("description", ""),
            }
        )
        stored.setdefault("options", [])
        stored.setdefault("contexts", None)
        stored.setdefault("integration_types", [0])
        if scope is not None:
            stored["guild_id"] = str(scope)
        else:
            stored.pop("guild_id", None)
        return stored

    async def _bulk_commands(
        self, record: RecordedRequest, app_id: str, guild_id: str | None = None
    ) -> _Reply:
        scope = self._command_scope(app_id, guild_id)
        commands = record.json
        if not isinstance(commands, list):
            raise _form_error("", "BASE_TYPE_ARRAY", "Must be an array.")
        names: set[tuple[str, int]] = set()
        for index, command in enumerate(commands):
            self._validate_command(command, str(index))
            key = (command["name"], int(command.get("type", 1)))
            if key in names:
                raise _form_error(
                    str(index),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {key[0]}",
                )
            names.add(key)
        if sum(1 for c in commands if int(c.get("type", 1)) == 1) > 100:
            raise _form_error("", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        with self._lock:
            stored = [self._register_command(scope, c) for c in commands]
            self._commands[scope] = stored
            self._sync_history.append(SyncRecord(guild_id=scope, commands=copy.deepcopy(stored)))
            return _Reply(200, copy.deepcopy(stored))

    async def _list_commands(
        self, record: RecordedRequest, app_id: str, guild_id: str | None = None
    ) -> _Reply:
        scope = self._command_scope(app_id, guild_id)
        with self._lock:
            return _Reply(200, copy.deepcopy(self._commands.get(scope, [])))

    def _command_or_404(self, scope: int | None, command_id: str) -> dict[str, Any]:
        for command in self._commands.get(scope, []):
            if command["id"] == str(command_id):
                return command
        raise _ApiError(404, 10063)

    async def _get_command(
        self, record: RecordedRequest, app_id: str, command_id: str, guild_id: str | None = None
    ) -> _Reply:
        scope = self._command_scope(app_id, guild_id)
        with self._lock:
            return _Reply(200, copy.deepcopy(self._command_or_404(scope, command_id)))

    async def _upsert_command(
        self, record: RecordedRequest, app_id: str, guild_id: str | None = None
    ) -> _Reply:
        scope = self._command_scope(app_id, guild_id)
        command = record.json or {}
        self._validate_command(command, "")
        with self._lock:
            existing = self._commands.setdefault(scope, [])
            stored = self._register_command(scope, command)
            for index, old in enumerate(existing):
                if old["id"] == stored["id"]:
                    existing[index] = stored
                    return _Reply(200, copy.deepcopy(stored))
            existing.append(stored)
            return _Reply(201, copy.deepcopy(stored))

    async def _edit_command(
        self, record: RecordedRequest, app_id: str, command_id: str, guild_id: str | None = None
    ) -> _Reply:
        scope = self._command_scope(app_id, guild_id)
        with self._lock:
            command = self._command_or_404(scope, command_id)
            command.update(record.json or {})
            return _Reply(200, copy.deepcopy(command))

    async def _delete_command(
        self, record: RecordedRequest, app_id: str, command_id: str, guild_id: str | None = None
    ) -> _Reply:
        scope = self._command_scope(app_id, guild_id)
        with self._lock:
            command = self._command_or_404(scope, command_id)
            self._commands[scope].remove(command)
        return _Reply(204)

    # ---------------------------------------------------------------- messages

    def _validate_message(self, body: dict[str, Any], *, creating: bool, files: int = 0) -> None:
        content = body.get("content")
        if content is not None and len(str(content)) > 2000:
            raise _form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        limits = {"title": 256, "description": 4096}
        for index, embed in enumerate(embeds):
            for key, limit in limits.items():
                text = embed.get(key) or ""
                total += len(text)
                if len(text) > limit:
                    raise _form_error(
                        f"embeds.{index}.{key}",
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
            fields = embed.get("fields") or []
            if len(fields) > 25:
                raise _form_error(
                    f"embeds.{index}.fields",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                )
            for findex, item in enumerate(fields):
                total += len(item.get("name") or "") + len(item.get("value") or "")
                if len(item.get("name") or "") > 256 or len(item.get("value") or "") > 1024:
                    raise _form_error(
                        f"embeds.{index}.fields.{findex}",
                        "BASE_TYPE_MAX_LENGTH",
                        "Field is too long.",
                    )
            total += len((embed.get("footer") or {}).get("text") or "")
            total += len((embed.get("author") or {}).get("name") or "")
        if total > 6000:
            raise _form_error(
                "embeds", "MESSAGE_EMBED_TOO_LONG", "Embed size exceeds maximum size of 6000"
            )
        components = body.get("components") or []
        flags = int(body.get("flags") or 0)
        if not flags & FLAG_COMPONENTS_V2:
            if len(components) > 5:
                raise _form_error(
                    "components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
                )
            for rindex, row in enumerate(components):
                inner = row.get("components") or []
                if row.get("type") == 1 and not 1 <= len(inner) <= 5:
                    raise _form_error(
                        f"components.{rindex}.components",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 5 in length.",
                    )
                for cindex, component in enumerate(inner):
                    here = f"components.{rindex}.components.{cindex}"
                    if len(component.get("label") or "") > 80:
                        raise _form_error(
                            f"{here}.label",
                            "BASE_TYPE_MAX_LENGTH",
                            "Must be 80 or fewer in length.",
                        )
                    needs_id = component.get("type") == 2 and component.get("style") not in (5, 6)
                    if needs_id and not component.get("custom_id"):
                        raise _form_error(
                            f"{here}.custom_id", "BASE_TYPE_REQUIRED", "This field is required"
                        )
        ids = list(custom_ids(components))
        for custom_id in ids:
            if len(custom_id) > 100:
                raise _form_error(
                    "components",
                    "BASE_TYPE_MAX_LENGTH",
                    "custom_id must be 100 or fewer in length.",
                )
        if len(ids) != len(set(ids)):
            raise _form_error(
                "components",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        nonce = body.get("nonce")
        if nonce is not None and isinstance(nonce, str) and len(nonce) > 25:
            raise _form_error("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if creating and not (
            content or embeds or components or files or body.get("sticker_ids") or body.get("poll")
        ):
            raise _ApiError(400, 50006)

    def _attachments_for(
        self, channel_id: int, body: dict[str, Any], files: list[UploadedFile]
    ) -> list[dict[str, Any]]:
        described = {int(a.get("id", i)): a for i, a in enumerate(body.get("attachments") or [])}
        out = []
        for index, upload in enumerate(files):
            match = re.search(r"\[(\d+)\]", upload.field)
            key = int(match.group(1)) if match else index
            meta = described.get(key, {})
            attachment_id = self._snowflake()
            filename = meta.get("filename") or upload.filename
            self._attachments[attachment_id] = upload
            url = f"{self.http_base}/attachments/{channel_id}/{attachment_id}/{filename}"
            out.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": upload.content_type,
                    **({"description": meta["description"]} if meta.get("description") else {}),
                }
            )
        return out

    def _new_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[UploadedFile],
        *,
        author_id: int,
        mtype: int = 0,
        flags: int | None = None,
        interaction: _Interaction | None = None,
    ) -> dict[str, Any]:
        """Store a message and return its JSON (ephemeral ones are kept out of the channel)."""
        message_id = self._snowflake()
        content = str(body.get("content") or "")
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "type": mtype,
            "content": content,
            "author": copy.deepcopy(self._users[author_id]),
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [
                copy.deepcopy(self._users[int(uid)])
                for uid in dict.fromkeys(_MENTION_RE.findall(content))
                if int(uid) in self._users
            ],
            "mention_roles": [],
            "attachments": self._attachments_for(channel_id, body, files),
            "embeds": copy.deepcopy(body.get("embeds") or []),
            "pinned": False,
            "flags": int(body.get("flags") or 0) if flags is None else flags,
            "components": copy.deepcopy(body.get("components") or []),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("message_reference"):
            reference = dict(body["message_reference"])
            reference.setdefault("channel_id", str(channel_id))
            message["message_reference"] = reference
            if mtype == 0:
                message["type"] = 19
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            metadata: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": copy.deepcopy(self._users.get(interaction.user_id) or {}),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if interaction.type == INTERACTION_APP_COMMAND:
                metadata["name"] = interaction.payload["data"]["name"]
                metadata["command_type"] = 1
            elif interaction.type == INTERACTION_COMPONENT:
                metadata["interacted_message_id"] = interaction.payload["message"]["id"]
            message["interaction_metadata"] = metadata
            interaction.message_ids.append(message_id)
        self._message_index[message_id] = message
        if not message["flags"] & FLAG_EPHEMERAL:
            self._channel_messages.setdefault(channel_id, []).append(message)
            channel = self._channels.get(channel_id)
            if channel is not None:
                channel["last_message_id"] = str(message_id)
                if channel["type"] in THREAD_TYPES:
                    channel["message_count"] = channel.get("message_count", 0) + 1
                    channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
        return message

    def _apply_edit(
        self, message: dict[str, Any], body: dict[str, Any], files: list[UploadedFile]
    ) -> None:
        for key in ("content", "embeds", "components"):
            if key in body:
                value = body[key]
                message[key] = (
                    copy.deepcopy(value) if value is not None else ([] if key != "content" else "")
                )
        if "flags" in body and body["flags"] is not None:
            keep = message["flags"] & (FLAG_EPHEMERAL | FLAG_COMPONENTS_V2)
            message["flags"] = keep | (int(body["flags"]) & ~FLAG_EPHEMERAL)
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in message["attachments"] if a["id"] in kept_ids]
            message["attachments"] = kept + self._attachments_for(
                int(message["channel_id"]), body, files
            )
        message["edited_timestamp"] = _now_iso()

    def _message_event(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as the gateway sends it: plus ``guild_id`` and the author's ``member``."""
        event = copy.deepcopy(message)
        channel = self._channels.get(int(message["channel_id"]))
        if channel is not None and channel.get("guild_id"):
            event["guild_id"] = str(self.guild_id)
            author_id = int(message["author"]["id"])
            if author_id in self._members and "webhook_id" not in message:
                event["member"] = self._member_payload(author_id, with_user=False)
        return event

    def _message_intent(self, message: dict[str, Any]) -> int:
        channel = self._channels.get(int(message["channel_id"]))
        return (
            INTENT_GUILD_MESSAGES if channel and channel.get("guild_id") else INTENT_DIRECT_MESSAGES
        )

    def _content_filter(
        self, message: dict[str, Any]
    ) -> Callable[[_Session, dict[str, Any]], dict[str, Any]]:
        """Discord blanks content for bots without the message-content intent."""

        def apply(session: _Session, event: dict[str, Any]) -> dict[str, Any]:
            if session.intents & INTENT_MESSAGE_CONTENT:
                return event
            if int(event["author"]["id"]) == self.bot_user_id or "guild_id" not in event:
                return event
            if any(int(u["id"]) == self.bot_user_id for u in event.get("mentions", [])):
                return event
            event.update({"content": "", "embeds": [], "attachments": [], "components": []})
            return event

        return apply

    async def _announce_message(
        self, message: dict[str, Any], event: str = "MESSAGE_CREATE"
    ) -> None:
        if message["flags"] & FLAG_EPHEMERAL:
            return
        with self._lock:
            payload = self._message_event(message)
            intent = self._message_intent(message)
        await self._dispatch_all(
            event, payload, intent=intent, transform=self._content_filter(message)
        )

    async def _user_message(
        self, channel_id: int, user_id: int, content: str, extra: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None:
                raise ValueError(f"unknown channel {channel_id}")
            if user_id not in self._users:
                raise ValueError(f"unknown user {user_id}")
            message = self._new_message(
                channel_id, {"content": content, **extra}, [], author_id=user_id
            )
            result = copy.deepcopy(message)
        await self._announce_message(message)
        return result

    async def _create_message(self, record: RecordedRequest, channel_id: str) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        cid = int(channel_id)
        with self._lock:
            channel = self._channel_or_404(cid)
            if channel["type"] == CHANNEL_DM:
                recipient = int(channel["recipients"][0]["id"])
                if recipient in self._dm_blocked or self._users[recipient].get("bot"):
                    raise _ApiError(403, 50007)
            thread_update = None
            if channel["type"] in THREAD_TYPES:
                metadata = channel["thread_metadata"]
                if metadata.get("locked"):
                    raise _ApiError(400, 50083)
                if metadata["archived"]:  # sending unarchives, as on Discord
                    metadata["archived"] = False
                    metadata["archive_timestamp"] = _now_iso()
                    thread_update = copy.deepcopy(channel)
            self._validate_message(body, creating=True, files=len(record.files))
            nonce = body.get("nonce")
            key = (self.bot_user_id, str(nonce))
            if nonce is not None and body.get("enforce_nonce"):
                seen = self._nonces.get(key)
                if seen is not None and time.monotonic() - seen[1] < self.nonce_window:
                    existing = self._message_index.get(seen[0])
                    if existing is not None:
                        return _Reply(200, copy.deepcopy(existing))
            body = {**body, "flags": int(body.get("flags") or 0) & ~FLAG_EPHEMERAL}
            message = self._new_message(cid, body, record.files, author_id=self.bot_user_id)
            if nonce is not None and body.get("enforce_nonce"):
                self._nonces[key] = (int(message["id"]), time.monotonic())
            result = copy.deepcopy(message)
        if thread_update is not None:
            await self._dispatch_all("THREAD_UPDATE", thread_update, intent=INTENT_GUILDS)
        await self._announce_message(message)
        return _Reply(200, result)

    def _message_in_channel(self, channel_id: int, message_id: str) -> dict[str, Any]:
        self._channel_or_404(channel_id)
        message = self._message_index.get(int(message_id))
        if message is None or int(message["channel_id"]) != channel_id:
            raise _ApiError(404, 10008)
        if message["flags"] & FLAG_EPHEMERAL:  # only the interaction webhook can reach these
            raise _ApiError(404, 10008)
        return message

    async def _get_message(
        self, record: RecordedRequest, channel_id: str, message_id: str
    ) -> _Reply:
        with self._lock:
            return _Reply(200, copy.deepcopy(self._message_in_channel(int(channel_id), message_id)))

    async def _edit_message(
        self, record: RecordedRequest, channel_id: str, message_id: str
    ) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        with self._lock:
            message = self._message_in_channel(int(channel_id), message_id)
            if int(message["author"]["id"]) != self.bot_user_id:
                raise _ApiError(403, 50005)
            self._validate_message(body, creating=False)
            self._apply_edit(message, body, record.files)
            result = copy.deepcopy(message)
        await self._announce_message(message, "MESSAGE_UPDATE")
        return _Reply(200, result)

    def _forget_message(self, message: dict[str, Any]) -> None:
        channel_messages = self._channel_messages.get(int(message["channel_id"]), [])
        if message in channel_messages:
            channel_messages.remove(message)
        self._message_index.pop(int(message["id"]), None)

    async def _delete_message(
        self, record: RecordedRequest, channel_id: str, message_id: str
    ) -> _Reply:
        with self._lock:
            message = self._message_in_channel(int(channel_id), message_id)
            self._forget_message(message)
            event = {"id": message["id"], "channel_id": message["channel_id"]}
            if self._channels[int(channel_id)].get("guild_id"):
                event["guild_id"] = str(self.guild_id)
            intent = self._message_intent(message)
        await self._dispatch_all("MESSAGE_DELETE", event, intent=intent)
        return _Reply(204)

    async def _history(self, record: RecordedRequest, channel_id: str) -> _Reply:
        query = record.query
        limit = max(1, min(int(query.get("limit", 50)), 100))
        with self._lock:
            self._channel_or_404(int(channel_id))
            messages = list(self._channel_messages.get(int(channel_id), []))
            if "before" in query:
                chosen = [m for m in messages if int(m["id"]) < int(query["before"])][-limit:]
            elif "after" in query:
                chosen = [m for m in messages if int(m["id"]) > int(query["after"])][:limit]
            elif "around" in query:
                pivot = int(query["around"])
                older = [m for m in messages if int(m["id"]) <= pivot][-(limit // 2 + 1) :]
                newer = [m for m in messages if int(m["id"]) > pivot][: limit - len(older)]
                chosen = older + newer
            else:
                chosen = messages[-limit:]
            return _Reply(200, copy.deepcopy(list(reversed(chosen))))

    # ---------------------------------------------------------------- channels and threads

    async def _get_channel(self, record: RecordedRequest, channel_id: str) -> _Reply:
        with self._lock:
            cid = int(channel_id)
            channel = self._channel_or_404(cid)
            if channel["type"] in THREAD_TYPES:
                return _Reply(200, self._thread_for_bot(cid))
            return _Reply(200, copy.deepcopy(channel))

    async def _edit_channel(self, record: RecordedRequest, channel_id: str) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        cid = int(channel_id)
        with self._lock:
            channel = self._channel_or_404(cid)
            if channel["type"] == CHANNEL_DM:
                raise _ApiError(400, 50024)
            for key in ("name", "topic", "rate_limit_per_user", "nsfw"):
                if key in body:
                    channel[key] = body[key]
            is_thread = channel["type"] in THREAD_TYPES
            if is_thread:
                metadata = channel["thread_metadata"]
                for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                    if key in body:
                        metadata[key] = body[key]
                if "archived" in body:
                    metadata["archive_timestamp"] = _now_iso()
            result = self._thread_for_bot(cid) if is_thread else copy.deepcopy(channel)
        event = "THREAD_UPDATE" if is_thread else "CHANNEL_UPDATE"
        await self._dispatch_all(event, copy.deepcopy(result), intent=INTENT_GUILDS)
        return _Reply(200, result)

    async def _delete_channel(self, record: RecordedRequest, channel_id: str) -> _Reply:
        cid = int(channel_id)
        with self._lock:
            channel = self._channel_or_404(cid)
            if channel["type"] == CHANNEL_DM:
                return _Reply(200, copy.deepcopy(channel))  # closing a DM keeps it on Discord
            del self._channels[cid]
            self._thread_members.pop(cid, None)
            result = copy.deepcopy(channel)
        if result["type"] in THREAD_TYPES:
            event = {k: result[k] for k in ("id", "guild_id", "parent_id", "type")}
            await self._dispatch_all("THREAD_DELETE", event, intent=INTENT_GUILDS)
        else:
            await self._dispatch_all("CHANNEL_DELETE", result, intent=INTENT_GUILDS)
        return _Reply(200, result)

    async def _create_thread(
        self, record: RecordedRequest, channel_id: str, message_id: str | None = None
    ) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        cid = int(channel_id)
        with self._lock:
            parent = self._channel_or_404(cid)
            if parent["type"] not in (CHANNEL_TEXT, CHANNEL_NEWS):
                raise _ApiError(400, 50024)
            name = str(body.get("name") or "")
            if not 1 <= len(name) <= 100:
                raise _form_error(
                    "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
            duration = int(
                body.get("auto_archive_duration") or parent["default_auto_archive_duration"]
            )
            if duration not in (60, 1440, 4320, 10080):
                raise _form_error(
                    "auto_archive_duration",
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {60, 1440, 4320, 10080}.",
                )
            if message_id is not None:
                starter = self._message_in_channel(cid, message_id)
                if any(int(c.get("id", 0)) == int(message_id) for c in self._channels.values()):
                    raise _ApiError(
                        400, 160004, "A thread has already been created for this message"
                    )
                thread_id = int(message_id)  # Discord reuses the message id
                ttype = 10 if parent["type"] == CHANNEL_NEWS else CHANNEL_PUBLIC_THREAD
            else:
                starter = None
                thread_id = self._snowflake()
                # Discord's default for a thread without a message is a private thread.
                ttype = int(body.get("type") or CHANNEL_PRIVATE_THREAD)
                if ttype not in THREAD_TYPES:
                    raise _form_error(
                        "type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}."
                    )
            now = _now_iso()
            thread = {
                "id": str(thread_id),
                "type": ttype,
                "guild_id": str(self.guild_id),
                "parent_id": str(cid),
                "owner_id": str(self.bot_user_id),
                "name": name,
                "last_message_id": None,
                "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
                "message_count": 0,
                "member_count": 1,
                "total_message_sent": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": duration,
                    "archive_timestamp": now,
                    "locked": False,
                    "create_timestamp": now,
                    **({"invitable": bool(body.get("invitable", True))} if ttype == 12 else {}),
                },
            }
            self._channels[thread_id] = thread
            self._channel_messages[thread_id] = []
            self._thread_members[thread_id] = {self.bot_user_id: now}
            if starter is not None:
                starter["thread"] = copy.deepcopy(thread)
            result = self._thread_for_bot(thread_id)
        await self._dispatch_all(
            "THREAD_CREATE", {**copy.deepcopy(result), "newly_created": True}, intent=INTENT_GUILDS
        )
        return _Reply(201, result)

    def _thread_or_error(self, channel_id: int) -> dict[str, Any]:
        channel = self._channel_or_404(channel_id)
        if channel["type"] not in THREAD_TYPES:
            raise _ApiError(400, 50024)
        return channel

    async def _list_thread_members(self, record: RecordedRequest, channel_id: str) -> _Reply:
        cid = int(channel_id)
        with self._lock:
            self._thread_or_error(cid)
            with_member = record.query.get("with_member") in ("true", "1", "True")
            out = []
            for uid, joined in self._thread_members.get(cid, {}).items():
                item: dict[str, Any] = {
                    "id": str(cid),
                    "user_id": str(uid),
                    "join_timestamp": joined,
                    "flags": 0,
                }
                if with_member and uid in self._members:
                    item["member"] = self._member_payload(uid)
                out.append(item)
            return _Reply(200, out)

    async def _get_thread_member(
        self, record: RecordedRequest, channel_id: str, user_id: str
    ) -> _Reply:
        cid, uid = int(channel_id), self._user_id(user_id)
        with self._lock:
            self._thread_or_error(cid)
            joined = self._thread_members.get(cid, {}).get(uid)
            if joined is None:
                raise _ApiError(404, 10007)
            return _Reply(
                200, {"id": str(cid), "user_id": str(uid), "join_timestamp": joined, "flags": 0}
            )

    async def _add_thread_member(
        self, record: RecordedRequest, channel_id: str, user_id: str
    ) -> _Reply:
        cid, uid = int(channel_id), self._user_id(user_id)
        with self._lock:
            thread = self._thread_or_error(cid)
            if thread["thread_metadata"]["archived"]:
                raise _ApiError(400, 50083)
            if uid not in self._members:
                raise _ApiError(404, 10007)
            members = self._thread_members.setdefault(cid, {})
            if uid in members:
                return _Reply(204)
            joined = _now_iso()
            members[uid] = joined
            thread["member_count"] = len(members)
            event = {
                "id": str(cid),
                "guild_id": str(self.guild_id),
                "member_count": len(members),
                "added_members": [
                    {
                        "id": str(cid),
                        "user_id": str(uid),
                        "join_timestamp": joined,
                        "flags": 0,
                        "member": self._member_payload(uid),
                    }
                ],
            }
        await self._dispatch_all("THREAD_MEMBERS_UPDATE", event, intent=INTENT_GUILD_MEMBERS)
        return _Reply(204)

    async def _remove_thread_member(
        self, record: RecordedRequest, channel_id: str, user_id: str
    ) -> _Reply:
        cid, uid = int(channel_id), self._user_id(user_id)
        with self._lock:
            thread = self._thread_or_error(cid)
            members = self._thread_members.setdefault(cid, {})
            if members.pop(uid, None) is None:
                return _Reply(204)
            thread["member_count"] = len(members)
            event = {
                "id": str(cid),
                "guild_id": str(self.guild_id),
                "member_count": len(members),
                "removed_member_ids": [str(uid)],
            }
        await self._dispatch_all("THREAD_MEMBERS_UPDATE", event, intent=INTENT_GUILD_MEMBERS)
        return _Reply(204)

    # ---------------------------------------------------------------- interactions

    def _record_response(
        self,
        interaction: _Interaction,
        record: RecordedRequest,
        kind: str,
        ctype: int | None,
        data: dict[str, Any],
        message_id: int | None,
    ) -> None:
        self._interaction_responses.append(
            InteractionResponse(
                interaction_id=interaction.id,
                kind=kind,
                type=ctype,
                data=copy.deepcopy(data),
                method=record.method,
                path=record.path,
                message_id=message_id,
                files=list(record.files),
            )
        )

    def _validate_callback_data(self, ctype: int, data: dict[str, Any], files: int) -> None:
        if ctype == 4:
            self._validate_message(data, creating=True, files=files)
        elif ctype == 7:
            self._validate_message(data, creating=False)
        elif ctype == 8:
            choices = data.get("choices")
            if choices is None:
                raise _form_error("data.choices", "BASE_TYPE_REQUIRED", "This field is required")
            if len(choices) > 25:
                raise _form_error(
                    "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            for index, choice in enumerate(choices):
                if not 1 <= len(str(choice.get("name", ""))) <= 100:
                    raise _form_error(
                        f"data.choices.{index}.name",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    )
        elif ctype == 9:
            title = str(data.get("title") or "")
            if not 1 <= len(title) <= 45:
                raise _form_error(
                    "data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length."
                )
            custom_id = str(data.get("custom_id") or "")
            if not 1 <= len(custom_id) <= 100:
                raise _form_error(
                    "data.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
            if not 1 <= len(data.get("components") or []) <= 5:
                raise _form_error(
                    "data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
                )

    async def _interaction_callback(
        self, record: RecordedRequest, interaction_id: str, token: str
    ) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        announce: tuple[dict[str, Any], str] | None = None
        with self._lock:
            interaction = self._interactions.get(int(interaction_id))
            if interaction is None or interaction.token != token:
                raise _ApiError(404, 10062)
            if interaction.response_type is not None:
                raise _ApiError(400, 40060)
            if (
                self.interaction_timeout is not None
                and time.monotonic() - interaction.created > self.interaction_timeout
            ):
                raise _ApiError(404, 10062)
            ctype = int(body.get("type", 0))
            if ctype not in _ALLOWED_CALLBACKS.get(interaction.type, frozenset()):
                raise _form_error(
                    "type", "BASE_TYPE_CHOICES", "Value must be one of the allowed types."
                )
            data = body.get("data") or {}
            self._validate_callback_data(ctype, data, len(record.files))
            response_message: dict[str, Any] | None = None
            message_id: int | None = None
            if ctype == 4:
                mtype = 20 if interaction.type == INTERACTION_APP_COMMAND else 0
                response_message = self._new_message(
                    interaction.channel_id,
                    data,
                    record.files,
                    author_id=self.bot_user_id,
                    mtype=mtype,
                    interaction=interaction,
                )
                message_id = int(response_message["id"])
                interaction.original_message_id = message_id
                announce = (response_message, "MESSAGE_CREATE")
            elif ctype == 5:
                flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
                mtype = 20 if interaction.type == INTERACTION_APP_COMMAND else 0
                loading = self._new_message(
                    interaction.channel_id,
                    {},
                    [],
                    author_id=self.bot_user_id,
                    mtype=mtype,
                    flags=flags,
                    interaction=interaction,
                )
                message_id = int(loading["id"])
                interaction.original_message_id = message_id
                interaction.loading = True
                announce = (loading, "MESSAGE_CREATE")
            elif ctype in (6, 7):
                target = interaction.payload.get("message")
                if target is None:
                    raise _ApiError(400, 50035, "Interaction has no message to update")
                message_id = int(target["id"])
                interaction.original_message_id = message_id
                if ctype == 7:
                    stored = self._message_index.get(message_id)
                    if stored is not None:
                        self._apply_edit(stored, data, record.files)
                        response_message = stored
                        announce = (stored, "MESSAGE_UPDATE")
                    else:
                        response_message = {**target, **copy.deepcopy(data)}
            elif ctype == 9:
                self._modals[str(data.get("custom_id"))] = copy.deepcopy(data)
            interaction.response_type = ctype
            self._record_response(interaction, record, "callback", ctype, data, message_id)
            callback: dict[str, Any] = {
                "interaction": {
                    "id": str(interaction.id),
                    "type": interaction.type,
                    "response_message_loading": ctype == 5,
                    "response_message_ephemeral": bool(
                        int(data.get("flags") or 0) & FLAG_EPHEMERAL
                    ),
                },
                "resource": {"type": ctype},
            }
            if message_id is not None:
                callback["interaction"]["response_message_id"] = str(message_id)
            if response_message is not None:
                callback["resource"]["message"] = copy.deepcopy(response_message)
        if announce is not None:
            await self._announce_message(*announce)
        if record.query.get("with_response") in ("1", "true", "True"):
            return _Reply(200, callback)
        return _Reply(204)

    def _interaction_for_webhook(self, app_id: str, token: str) -> _Interaction:
        interaction = self._interactions_by_token.get(token)
        if interaction is None or int(app_id) != self.application_id:
            raise _ApiError(404, 10015)
        if interaction.response_type is None:
            raise _ApiError(404, 10015)  # the token only works once the interaction is answered
        return interaction

    def _webhook_message(self, interaction: _Interaction, message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            if interaction.original_message_id is None:
                raise _ApiError(404, 10008)
            mid = interaction.original_message_id
        else:
            mid = int(message_id)
            if mid not in interaction.message_ids and mid != interaction.original_message_id:
                raise _ApiError(404, 10008)
        message = self._message_index.get(mid)
        if message is None:
            raise _ApiError(404, 10008)
        return message

    async def _followup(self, record: RecordedRequest, app_id: str, token: str) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        with self._lock:
            interaction = self._interaction_for_webhook(app_id, token)
            self._validate_message(body, creating=True, files=len(record.files))
            original = (
                self._message_index.get(interaction.original_message_id)
                if interaction.original_message_id is not None
                else None
            )
            if interaction.loading and original is not None:
                # The first follow-up after a "thinking" defer replaces the loading message,
                # keeping the defer's ephemeral choice.
                interaction.loading = False
                ephemeral = original["flags"] & FLAG_EPHEMERAL
                self._apply_edit(
                    original, {k: v for k, v in body.items() if k != "flags"}, record.files
                )
                original["flags"] = ephemeral | (
                    int(body.get("flags") or 0) & ~(FLAG_EPHEMERAL | FLAG_LOADING)
                )
                message, event = original, "MESSAGE_UPDATE"
            else:
                message = self._new_message(
                    interaction.channel_id,
                    body,
                    record.files,
                    author_id=self.bot_user_id,
                    interaction=interaction,
                )
                event = "MESSAGE_CREATE"
            self._record_response(interaction, record, "followup", None, body, int(message["id"]))
            result = copy.deepcopy(message)
        await self._announce_message(message, event)
        if record.query.get("wait") in ("true", "1", "True"):
            return _Reply(200, result)
        return _Reply(204)

    async def _webhook_get(
        self, record: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> _Reply:
        with self._lock:
            interaction = self._interaction_for_webhook(app_id, token)
            return _Reply(200, copy.deepcopy(self._webhook_message(interaction, message_id)))

    async def _webhook_edit(
        self, record: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> _Reply:
        body = record.json if isinstance(record.json, dict) else {}
        with self._lock:
            interaction = self._interaction_for_webhook(app_id, token)
            message = self._webhook_message(interaction, message_id)
            self._validate_message(body, creating=False)
            self._apply_edit(message, body, record.files)
            if message_id == "@original" or int(message["id"]) == interaction.original_message_id:
                interaction.loading = False
                message["flags"] &= ~FLAG_LOADING
            kind = "edit_original" if message_id == "@original" else "edit_message"
            self._record_response(interaction, record, kind, None, body, int(message["id"]))
            result = copy.deepcopy(message)
        await self._announce_message(message, "MESSAGE_UPDATE")
        return _Reply(200, result)

    async def _webhook_delete(
        self, record: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> _Reply:
        with self._lock:
            interaction = self._interaction_for_webhook(app_id, token)
            message = self._webhook_message(interaction, message_id)
            self._forget_message(message)
            kind = "delete_original" if message_id == "@original" else "delete_message"
            self._record_response(interaction, record, kind, None, {}, int(message["id"]))
            event = {"id": message["id"], "channel_id": message["channel_id"]}
            if self._channels.get(int(message["channel_id"]), {}).get("guild_id"):
                event["guild_id"] = str(self.guild_id)
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
            intent = self._message_intent(message)
        if not ephemeral:
            await self._dispatch_all("MESSAGE_DELETE", event, intent=intent)
        return _Reply(204)


__all__ = [
    "FakeDiscord",
    "InteractionResponse",
    "RecordedRequest",
    "SyncRecord",
    "UploadedFile",
    "custom_ids",
]
