"""A local fake of the Slack Web API and Socket Mode, for tests that use the real slack libraries.

Tests point slack_sdk's ``AsyncWebClient(base_url=slack.url)`` (or ``SLACK_API_URL``) at this
server, so the bot runs its real HTTP, retry and Socket Mode code against answers shaped like
Slack's, and the test then reads what the bot did from ``calls``, ``messages()``, ``responses``,
``uploads`` and ``socket_acks``.

Blocks and views are checked against Slack's documented Block Kit limits (``block_kit``) where
they come in (chat.postMessage, chat.postEphemeral, chat.update, views.open/push/update/publish
and ``response_url`` POSTs) and refused as Slack refuses them; ``refusals`` lists each refusal.

The server runs in a background thread with its own event loop, so sync tests, ``asyncio.run``
tests and code under test running in another loop can all share one instance.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import itertools
import json
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import WSMsgType, web

from tests.fakes import block_kit

T = TypeVar("T")

# Argument values that Slack accepts either as JSON or as JSON text inside a form field.
_JSON_FIELDS = frozenset(
    {"blocks", "attachments", "metadata", "view", "files", "user_auth_blocks", "unfurls"}
)
_TRUE = frozenset({"1", "true", "True", "yes"})


@dataclass(frozen=True)
class ApiCall:
    """One request the fake received: which method, with which decoded arguments and headers."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    http_verb: str = "POST"

    @property
    def token(self) -> str | None:
        """The token the caller sent, from the Authorization header or a ``token`` argument."""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer ") :]
        token = self.args.get("token")
        return str(token) if token else None


@dataclass(frozen=True)
class Upload:
    """A file shared through files upload v2: URL issued, bytes POSTed, upload completed."""

    file_id: str
    filename: str
    title: str | None
    channel: str | None
    data: bytes
    initial_comment: str | None = None
    thread_ts: str | None = None
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class _OAuthApp:
    client_id: str
    client_secret: str
    redirect_url: str
    scopes: tuple[str, ...]
    rotate_tokens: bool
    expires_in: int


@dataclass
class _Issued:
    """A token given out by ``oauth.v2.access``: whose it is and whether it still works."""

    team_id: str
    refresh: bool = False
    revoked: bool = False
    expires_at: float | None = None


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None


@dataclass
class _Conversation:
    id: str
    users: tuple[str, ...]
    created: int
    messages: list[dict[str, Any]] = field(default_factory=list)


class SlackApiFailure(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``.

    ``problems`` (Block Kit refusals) go out as ``response_metadata.messages`` with Slack's
    ``[ERROR]`` prefix and, when ``with_errors``, also bare in ``errors`` as chat.* answer them.
    """

    def __init__(self, error: str, problems: Sequence[str] = (), with_errors: bool = False) -> None:
        super().__init__(error, *problems)
        self.error = error
        self.problems = list(problems)
        self.with_errors = with_errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.problems and self.with_errors:
            body["errors"] = list(self.problems)
        if self.problems:
            body["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in self.problems]}
        return body


class FakeSlack:
    """A Slack workspace with one bot, served on 127.0.0.1 for the duration of a test."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_name: str = "Mentoring Org",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A1",
        bot_name: str = "mentorbot",
        strict_users: bool = False,
    ) -> None:
        """Set the workspace identity; ``strict_users``: unknown users fail conversations.open."""
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.strict_users = strict_users

        self._lock = threading.RLock()
        self._calls: list[ApiCall] = []
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._users: dict[str, dict[str, Any]] = {}
        self._conversations: dict[str, _Conversation] = {}
        self._conversation_by_users: dict[frozenset[str], str] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._refusals: list[tuple[str, list[str]]] = []
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._uploads: list[Upload] = []
        self._responses: list[tuple[str, dict[str, Any]]] = []
        self._socket_acks: list[dict[str, Any]] = []
        self._socket_received: list[Any] = []
        self._tickets: set[str] = set()
        self._sockets: set[web.WebSocketResponse] = set()
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        # OAuth: apps that may be installed, workspaces to install into, codes and tokens given
        self._apps: dict[str, _OAuthApp] = {}
        self._workspaces: dict[str, str] = {team_id: team_name}
        self._codes: dict[str, tuple[str, str, str | None]] = {}  # code -> app, team, redirect
        self._issued: dict[str, _Issued] = {}  # token or refresh token -> what it is
        self._caller_team = team_id

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._add_bot_user()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Start serving on a free port in a background thread; returns self."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to the thread that called start()
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="FakeSlack", daemon=True)
        self._thread.start()
        if not ready.wait(10) or failure:
            self._thread = None
            raise RuntimeError(f"FakeSlack did not start: {failure[0] if failure else 'timeout'}")
        return self

    def stop(self) -> None:
        """Close Socket Mode connections and the server, then end the background thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeSlack:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
        app.router.add_get("/oauth/v2/authorize", self._handle_authorize)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code=1001, message=b"server stopping"), 2)
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        """The TCP port the fake listens on (it must be started)."""
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` without a path."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL, with the trailing slash slack_sdk expects."""
        return f"{self.root_url}/api/"

    def response_url(self, key: str = "default") -> str:
        """A ``response_url`` on the fake: what is POSTed there lands in ``responses``."""
        return f"{self.root_url}/response/{key}"

    # ------------------------------------------------------------------ test set-up

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "UTC",
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        display_name: str | None = None,
    ) -> dict[str, Any]:
        """Add or replace a member; ``deleted=True`` is shaped like a deactivated account."""
        name = name or user_id.lower()
        real_name = real_name if real_name is not None else name
        profile: dict[str, Any] = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name if display_name is not None else name,
            "display_name_normalized": display_name if display_name is not None else name,
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "g0000000000",
            "image_48": f"https://avatars.example.org/{user_id}_48.png",
            "team": self.team_id,
        }
        if email is not None:
            profile["email"] = email
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "profile": profile,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
        }
        if not deleted:
            # Slack leaves the timezone and role flags out of a deactivated user's object.
            user.update(_tz_fields(tz))
            user.update(
                {
                    "is_admin": False,
                    "is_owner": False,
                    "is_primary_owner": False,
                    "is_restricted": False,
                    "is_ultra_restricted": False,
                    "has_2fa": False,
                }
            )
        with self._lock:
            self._users[user_id] = user
        return copy.deepcopy(user)

    def register_app(
        self,
        client_id: str,
        client_secret: str,
        redirect_url: str,
        *,
        scopes: Sequence[str] = (),
        rotate_tokens: bool = False,
        expires_in: int = 43200,
    ) -> None:
        """An app that can be installed through OAuth, with its one redirect URL; with
        ``rotate_tokens`` its tokens expire after ``expires_in`` seconds and come with a
        refresh token, as with Slack's token rotation turned on."""
        with self._lock:
            self._apps[client_id] = _OAuthApp(
                client_id, client_secret, redirect_url, tuple(scopes), rotate_tokens, expires_in
            )

    def add_workspace(self, team_id: str, name: str) -> None:
        """Another workspace that the app can be installed into."""
        with self._lock:
            self._workspaces[team_id] = name

    def revoke_tokens(self, team_id: str) -> None:
        """Slack's side of an uninstall: every token issued for the workspace stops working."""
        with self._lock:
            for issued in self._issued.values():
                if issued.team_id == team_id:
                    issued.revoked = True

    def team_of(self, token: str | None) -> str | None:
        """The workspace an OAuth-issued token belongs to (None for any other token)."""
        with self._lock:
            issued = self._issued.get(token or "")
            return issued.team_id if issued else None

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Queue failures for the next call(s) of ``method``, consumed in order.

        ``status=429`` answers ``ratelimited`` with a ``Retry-After`` header (default 1 s);
        another status answers ``{"ok": false, "error": ...}`` with that HTTP status.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if error is None:
            error = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
        with self._lock:
            for _ in range(times):
                self._failures[method].append(_Failure(status, error, retry_after))

    def open_conversation(self, *user_ids: str) -> str:
        """The DM (one user) or group DM (several) id the bot gets for these users."""
        with self._lock:
            return self._open(list(user_ids)).id

    def member_says(self, channel: str, user_id: str, text: str) -> str:
        """A member posts ``text`` in a conversation (chatter the bot must search past);
        returns its ts."""
        with self._lock:
            conv = self._conversations[channel]
            message = {"type": "message", "user": user_id, "text": text, "ts": self._next_ts()}
            conv.messages.append(message)
            return message["ts"]

    def reset_calls(self) -> None:
        """Forget recorded calls, responses, refusals and acks (state such as messages stays)."""
        with self._lock:
            self._calls.clear()
            self._refusals.clear()
            self._responses.clear()
            self._socket_acks.clear()
            self._socket_received.clear()

    # ------------------------------------------------------------------ what happened

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call received, in order (including failed and unknown ones)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls to one method, e.g. ``"chat.postMessage"``."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages now in a conversation, oldest first, as updated and minus deleted ones."""
        with self._lock:
            conv = self._conversations.get(channel)
            return copy.deepcopy(conv.messages) if conv else []

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages posted (each with channel, user, ts, text, blocks)."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._ephemerals if channel in (None, m["channel"])]

    def conversation_users(self, channel: str) -> list[str]:
        """The members (besides the bot) of a DM or group DM opened through the API."""
        with self._lock:
            conv = self._conversations.get(channel)
            return list(conv.users) if conv else []

    @property
    def views(self) -> list[dict[str, Any]]:
        """Modals opened or pushed, each in its latest state, in the order opened."""
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    @property
    def home_views(self) -> dict[str, dict[str, Any]]:
        """The Home tab published for each user (views.publish), by user id."""
        with self._lock:
            return copy.deepcopy(self._home_views)

    @property
    def refusals(self) -> list[tuple[str, list[str]]]:
        """Payloads refused for their Block Kit: (method or ``response_url``, Slack's messages)."""
        with self._lock:
            return copy.deepcopy(self._refusals)

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Payloads POSTed to ``response_url()`` URLs, in order."""
        with self._lock:
            return [copy.deepcopy(p) for _, p in self._responses]

    def responses_to(self, key: str) -> list[dict[str, Any]]:
        """Payloads POSTed to one ``response_url(key)``."""
        with self._lock:
            return [copy.deepcopy(p) for k, p in self._responses if k == key]

    @property
    def uploads(self) -> list[Upload]:
        """Files completed through files upload v2, in order."""
        with self._lock:
            return list(self._uploads)

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        """Acks from Socket Mode clients: dicts with ``envelope_id`` and maybe ``payload``."""
        with self._lock:
            return copy.deepcopy(self._socket_acks)

    @property
    def socket_received(self) -> list[Any]:
        """Every frame a Socket Mode client sent, decoded from JSON when possible."""
        with self._lock:
            return copy.deepcopy(self._socket_received)

    @property
    def socket_connected(self) -> bool:
        """Whether a Socket Mode client is connected now."""
        return bool(self._sockets)

    # ------------------------------------------------------------------ waiting and pushing

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5, interval: float = 0.01
    ) -> T:
        """Poll ``predicate`` without blocking the caller's loop; return its first truthy value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(interval)

    def wait_for_sync(
        self, predicate: Callable[[], T], timeout: float = 5, interval: float = 0.01
    ) -> T:
        """Like ``wait_for`` for sync tests."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            time.sleep(interval)

    async def socket_send(self, envelope: dict[str, Any]) -> int:
        """Push an envelope to every connected Socket Mode client; returns how many got it."""
        return await asyncio.wrap_future(self._submit(self._broadcast(envelope)))

    def socket_send_sync(self, envelope: dict[str, Any], timeout: float = 5) -> int:
        """Like ``socket_send`` for sync tests."""
        return self._submit(self._broadcast(envelope)).result(timeout)

    def _submit(self, coro: Any) -> Any:
        if self._loop is None:
            coro.close()
            raise RuntimeError("FakeSlack is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _broadcast(self, envelope: dict[str, Any]) -> int:
        sockets = [ws for ws in self._sockets if not ws.closed]
        if not sockets:
            raise RuntimeError("no Socket Mode client is connected")
        text = json.dumps(envelope)
        for ws in sockets:
            await ws.send_str(text)
        return len(sockets)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await _read_args(request)
        call = ApiCall(method, args, dict(request.headers), request.method)
        with self._lock:
            self._calls.append(call)
            error = None if method == "oauth.v2.access" else self._auth_error(method, call.token)
            failure = None
            if error is None and self._failures.get(method):
                failure = self._failures[method].popleft()
        if error is not None:
            return web.json_response({"ok": False, "error": error})
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        handler = self._handlers().get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if method == "oauth.v2.access":
            args = {**args, **_basic_auth(request.headers.get("Authorization", ""))}
        try:
            with self._lock:
                issued = self._issued.get(call.token or "")
                self._caller_team = issued.team_id if issued else self.team_id
                body = handler({k: v for k, v in args.items() if k != "token"})
        except SlackApiFailure as exc:
            if exc.problems:
                with self._lock:
                    self._refusals.append((method, exc.body()["response_metadata"]["messages"]))
            return web.json_response(exc.body())
        return web.json_response({"ok": True, **body})

    def _auth_error(self, method: str, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        issued = self._issued.get(token)
        if issued is not None and (issued.revoked or issued.refresh):
            return "token_revoked" if issued.revoked else "invalid_auth"
        if issued is not None and issued.expires_at is not None and issued.expires_at < time.time():
            return "token_expired"
        wanted = ("xapp-",) if method == "apps.connections.open" else ("xoxb-", "xoxp-")
        if token.startswith(wanted):
            return None
        if token.startswith(("xapp-", "xoxb-", "xoxp-")):
            return "not_allowed_token_type"
        return "invalid_auth"

    async def _handle_upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        with self._lock:
            pending = self._pending_files.get(request.match_info["file_id"])
            if pending is None:
                return web.Response(status=404, text="file not found")
            pending["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        raw = await request.text()
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError:
            payload = {"raw": raw}
        blocks = payload.get("blocks") if isinstance(payload, dict) else None
        if blocks:
            # Slack answers a refused response_url payload 400 with a bare error, no details.
            found = block_kit.problems(blocks, "message")
            if found:
                with self._lock:
                    self._refusals.append(("response_url", [f"[ERROR] {p}" for p in found]))
                return web.Response(status=400, text="invalid_blocks")
        with self._lock:
            self._responses.append((request.match_info["key"], payload))
        return web.Response(text="ok")

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """slack.com's "Add to Slack" page, with the installer pressing **Allow** at once: back
        to the app's redirect URL with a code for the workspace (``team``, else the fake's own)
        and the state untouched; an unknown app or workspace is an error page, as on Slack."""
        query = request.query
        with self._lock:
            app = self._apps.get(query.get("client_id", ""))
            team = query.get("team") or self.team_id
            if app is None or team not in self._workspaces:
                return web.Response(status=400, text="invalid_client_id or invalid team")
            redirect = query.get("redirect_uri") or app.redirect_url
            if redirect != app.redirect_url:
                return web.Response(status=400, text="bad_redirect_uri")
            code = f"code-{team}-{uuid.uuid4().hex[:8]}"
            self._codes[code] = (app.client_id, team, query.get("redirect_uri"))
        location = f"{redirect}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        raise web.HTTPFound(location)

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            known = request.query.get("ticket") in self._tickets
        if not known:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True, timeout=2)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {
                        "host": "applink-fake-0",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data: Any = json.loads(msg.data)
                except json.JSONDecodeError:
                    data = msg.data
                with self._lock:
                    self._socket_received.append(data)
                    if isinstance(data, dict) and "envelope_id" in data:
                        self._socket_acks.append(data)
        finally:
            self._sockets.discard(ws)
        return ws

    # ------------------------------------------------------------------ Web API methods

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "api.test": lambda args: {"args": args} if args else {},
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        team = self._caller_team
        return {
            "url": f"https://{team.lower()}.slack.com/",
            "team": self._workspaces.get(team, self.team_name),
            "user": self.bot_name,
            "team_id": team,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """A code for an access token (or, ``grant_type=refresh_token``, a refresh token for a
        new pair of tokens), refused as Slack refuses: an unknown client, a wrong secret, a
        code that is unknown, used or for another app, a redirect URL that differs."""
        app = self._apps.get(str(args.get("client_id") or ""))
        if app is None:
            raise SlackApiFailure("invalid_client_id")
        if args.get("client_secret") != app.client_secret:
            raise SlackApiFailure("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            refresh = self._issued.get(str(args.get("refresh_token") or ""))
            if refresh is None or not refresh.refresh or refresh.revoked:
                raise SlackApiFailure("invalid_refresh_token")
            refresh.revoked = True  # a refresh token is good once
            return self._tokens_for(app, refresh.team_id)
        code = self._codes.pop(str(args.get("code") or ""), None)
        if code is None or code[0] != app.client_id:
            raise SlackApiFailure("invalid_code")
        if args.get("redirect_uri") not in (None, code[2]):
            raise SlackApiFailure("bad_redirect_uri")
        return {
            **self._tokens_for(app, code[1]),
            "scope": ",".join(app.scopes),
            "app_id": self.app_id,
            "bot_user_id": self.bot_user_id,
            "team": {"id": code[1], "name": self._workspaces[code[1]]},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": f"UINSTALLER{code[1]}"},
        }

    def _tokens_for(self, app: _OAuthApp, team_id: str) -> dict[str, Any]:
        token = f"xoxb-{team_id}-{next(self._ids)}"
        expires_at = time.time() + app.expires_in if app.rotate_tokens else None
        self._issued[token] = _Issued(team_id, expires_at=expires_at)
        if not app.rotate_tokens:
            return {"access_token": token, "token_type": "bot"}
        refresh = f"xoxe-1-{team_id}-{next(self._ids)}"
        self._issued[refresh] = _Issued(team_id, refresh=True)
        return {
            "access_token": token,
            "token_type": "bot",
            "refresh_token": refresh,
            "expires_in": app.expires_in,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self.port}/socket?ticket={ticket}&app_id={self.app_id}"}

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._target(args)
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackApiFailure("no_text")
        _check_message(args, blocks_total=True)
        message = self._bot_message(args)
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        conv.messages.append(message)
        return {"channel": conv.id, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _required(args, "channel")
        user = _required(args, "user")
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackApiFailure("no_text")
        _check_message(args)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": args.get("blocks"),
                "thread_ts": args.get("thread_ts"),
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        conv, message = self._find_message(args)
        if message.get("user") != self.bot_user_id:
            raise SlackApiFailure("cant_update_message")
        _check_message(args)
        for key in ("text", "blocks", "attachments"):
            if key in args:
                message[key] = args[key]
        if "metadata" in args:
            message["metadata"] = _metadata(args["metadata"])
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": conv.id,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        conv, message = self._find_message(args)
        if message.get("user") != self.bot_user_id:
            raise SlackApiFailure("cant_delete_message")
        conv.messages.remove(message)
        return {"channel": conv.id, "ts": message["ts"]}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            conv = self._conversations.get(str(args["channel"]))
            if conv is None:
                raise SlackApiFailure("channel_not_found")
            existed = True
        else:
            users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
            if not users:
                raise SlackApiFailure("users_list_not_supplied")
            existed = frozenset(u for u in users if u != self.bot_user_id) in (
                self._conversation_by_users
            )
            conv = self._open(users)
        body: dict[str, Any] = {"channel": {"id": conv.id}}
        if _truthy(args.get("return_im")):
            body["channel"] = self._conversation_object(conv)
        if existed:
            body.update({"no_op": True, "already_open": True})
        return body

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._conversations.get(_required(args, "channel"))
        messages = [
            m
            for m in (conv.messages if conv else [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        inclusive = _truthy(args.get("inclusive"))
        if args.get("oldest"):
            oldest = float(args["oldest"])
            messages = [
                m
                for m in messages
                if float(m["ts"]) > oldest or (inclusive and float(m["ts"]) == oldest)
            ]
        if args.get("latest"):
            latest = float(args["latest"])
            messages = [
                m
                for m in messages
                if float(m["ts"]) < latest or (inclusive and float(m["ts"]) == latest)
            ]
        newest_first = list(reversed(messages))
        page, body = _paginate(newest_first, args)
        include_metadata = _truthy(args.get("include_all_metadata"))
        body.update(
            {
                "messages": [_public_message(m, include_metadata) for m in page],
                "pin_count": 0,
                "channel_actions_ts": None,
                "channel_actions_count": 0,
            }
        )
        return body

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._conversations.get(_required(args, "channel"))
        ts = _required(args, "ts")
        thread = [
            m for m in (conv.messages if conv else []) if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not thread:
            raise SlackApiFailure("thread_not_found")
        page, body = _paginate(thread, args)
        include_metadata = _truthy(args.get("include_all_metadata"))
        body["messages"] = [_public_message(m, include_metadata) for m in page]
        return body

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(_required(args, "user"))
        if user is None:
            raise SlackApiFailure("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every member, deactivated ones included, in pages of at most 1,000 (Slack's
        most; it advises 200)."""
        if int(args.get("limit") or 0) > 1000:
            raise SlackApiFailure("invalid_limit")
        page, body = _paginate(list(self._users.values()), {"limit": 100, **args})
        return {"members": copy.deepcopy(page), **body}

    def _users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = _required(args, "email").lower()
        for user in self._users.values():
            if str(user["profile"].get("email", "")).lower() == email and not user["deleted"]:
                return {"user": copy.deepcopy(user)}
        raise SlackApiFailure("users_not_found")

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            raise SlackApiFailure("invalid_arguments")
        view = self._new_view(args, previous_view_id=None)
        return {"view": copy.deepcopy(view)}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            raise SlackApiFailure("invalid_arguments")
        previous = next(reversed(self._views.values()), None)
        view = self._new_view(args, previous_view_id=previous["id"] if previous else None)
        if previous is not None:
            view["root_view_id"] = previous["root_view_id"]
        return {"view": copy.deepcopy(view)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = _view_spec(args, "view")
        view = None
        if args.get("view_id"):
            view = self._views.get(str(args["view_id"]))
        elif args.get("external_id"):
            view = next(
                (v for v in self._views.values() if v["external_id"] == args["external_id"]), None
            )
        if view is None:
            raise SlackApiFailure("not_found")
        if args.get("hash") and args["hash"] != view["hash"]:
            raise SlackApiFailure("hash_conflict")
        view.update(self._view_fields(spec))
        view["hash"] = self._view_hash()
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = _required(args, "user_id")
        spec = _view_spec(args, "home")
        view = self._home_views.get(user_id)
        if view is None:
            view = {
                "id": f"V{next(self._ids):09d}",
                "team_id": self.team_id,
                "type": "home",
                "blocks": [],
                "private_metadata": "",
                "callback_id": "",
                "state": {"values": {}},
                "external_id": "",
                "app_id": self.app_id,
                "app_installed_team_id": self.team_id,
                "bot_id": self.bot_id,
            }
            self._home_views[user_id] = view
        elif args.get("hash") and args["hash"] != view["hash"]:
            raise SlackApiFailure("hash_conflict")
        view.update(self._view_fields(spec))
        view["hash"] = self._view_hash()
        return {"view": copy.deepcopy(view)}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = _required(args, "filename")
        length = _required(args, "length")
        file_id = f"F{next(self._ids):09d}"
        self._pending_files[file_id] = {
            "filename": filename,
            "length": int(length),
            "alt_txt": args.get("alt_txt"),
            "snippet_type": args.get("snippet_type"),
            "data": None,
        }
        return {"upload_url": f"{self.root_url}/upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise SlackApiFailure("invalid_arguments")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        if args.get("channel_id"):
            channels.insert(0, str(args["channel_id"]))
        done: list[dict[str, Any]] = []
        objects: list[dict[str, Any]] = []
        for entry in files:
            pending = self._pending_files.get(str(entry.get("id")))
            if pending is None:
                raise SlackApiFailure("file_not_found")
            if pending["data"] is None:
                raise SlackApiFailure("upload_not_complete")
        for entry in files:
            file_id = str(entry["id"])
            pending = self._pending_files.pop(file_id)
            title = entry.get("title") or pending["filename"]
            self._uploads.append(
                Upload(
                    file_id=file_id,
                    filename=pending["filename"],
                    title=title,
                    channel=channels[0] if channels else None,
                    data=pending["data"],
                    initial_comment=args.get("initial_comment"),
                    thread_ts=args.get("thread_ts"),
                    channels=tuple(channels),
                )
            )
            done.append({"id": file_id, "title": title})
            objects.append(self._file_object(file_id, pending, title))
        for channel in channels:
            conv = self._conversation(channel)
            message = self._bot_message({"text": args.get("initial_comment") or ""})
            message.update({"files": copy.deepcopy(objects), "upload": True})
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            conv.messages.append(message)
        return {"files": done}

    # ------------------------------------------------------------------ state helpers

    def _add_bot_user(self) -> None:
        bot = self.add_user(self.bot_user_id, name=self.bot_name, real_name=self.bot_name)
        bot.update({"is_bot": True, "is_app_user": False})
        bot["profile"].update({"bot_id": self.bot_id, "api_app_id": self.app_id})
        self._users[self.bot_user_id] = bot

    def _user_state(self, user_id: str) -> str:
        user = self._users.get(user_id)
        if user is None:
            return "unknown"
        return "deleted" if user["deleted"] else "active"

    def _open(self, users: list[str]) -> _Conversation:
        members = [u for u in dict.fromkeys(users) if u != self.bot_user_id]
        if not members:
            raise SlackApiFailure("not_enough_users")
        if len(members) > 8:
            raise SlackApiFailure("too_many_users")
        # A deactivated member does not make this fail: like Slack, the fake answers ok, which
        # is why the bot must ask users.info (fail_next(..., error="user_disabled") if needed).
        if self.strict_users and any(self._user_state(u) == "unknown" for u in members):
            raise SlackApiFailure("user_not_found")
        key = frozenset(members)
        if key in self._conversation_by_users:
            return self._conversations[self._conversation_by_users[key]]
        prefix = "D" if len(members) == 1 else "G"
        conv = _Conversation(f"{prefix}{next(self._ids):09d}", tuple(members), int(time.time()))
        self._conversations[conv.id] = conv
        self._conversation_by_users[key] = conv.id
        return conv

    def _conversation(self, channel: str) -> _Conversation:
        """A conversation by id, created on first use (public channels need no set-up)."""
        if channel.startswith(("U", "W")):
            return self._open([channel])
        conv = self._conversations.get(channel)
        if conv is None:
            conv = _Conversation(channel, (), int(time.time()))
            self._conversations[channel] = conv
        return conv

    def _target(self, args: dict[str, Any]) -> _Conversation:
        channel = str(args.get("channel") or "")
        if not channel:
            raise SlackApiFailure("channel_not_found")
        return self._conversation(channel)

    def _conversation_object(self, conv: _Conversation) -> dict[str, Any]:
        if conv.id.startswith("D"):
            return {
                "id": conv.id,
                "created": conv.created,
                "is_im": True,
                "is_org_shared": False,
                "user": conv.users[0],
                "is_user_deleted": self._user_state(conv.users[0]) == "deleted",
                "priority": 0,
            }
        names = "--".join(self._users.get(u, {}).get("name", u.lower()) for u in conv.users)
        return {
            "id": conv.id,
            "name": f"mpdm-{self.bot_name}--{names}-1",
            "created": conv.created,
            "creator": self.bot_user_id,
            "is_channel": False,
            "is_group": False,
            "is_im": False,
            "is_mpim": True,
            "is_private": True,
            "is_archived": False,
            "is_open": True,
            "priority": 0,
        }

    def _find_message(self, args: dict[str, Any]) -> tuple[_Conversation, dict[str, Any]]:
        conv = self._conversations.get(_required(args, "channel"))
        if conv is None:
            raise SlackApiFailure("channel_not_found")
        ts = _required(args, "ts")
        for message in conv.messages:
            if message["ts"] == ts:
                return conv, message
        raise SlackApiFailure("message_not_found")

    def _bot_message(self, args: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.get("text") or "",
            "ts": self._next_ts(),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments"):
            if args.get(key):
                message[key] = args[key]
        if args.get("metadata"):
            message["metadata"] = _metadata(args["metadata"])
        return message

    def _next_ts(self) -> str:
        # Slack message ts: seconds.microseconds, unique and increasing within a channel.
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _new_view(self, args: dict[str, Any], previous_view_id: str | None) -> dict[str, Any]:
        spec = _view_spec(args, "modal")
        view_id = f"V{next(self._ids):09d}"
        view = {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec.get("type", "modal"),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": self._view_hash(),
            "title": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": previous_view_id,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        view.update(self._view_fields(spec))
        self._views[view_id] = view
        return view

    def _view_fields(self, spec: dict[str, Any]) -> dict[str, Any]:
        keys = (
            "type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
            "clear_on_close", "notify_on_close", "external_id", "submit_disabled",
        )  # fmt: skip
        return {k: copy.deepcopy(spec[k]) for k in keys if k in spec}

    def _view_hash(self) -> str:
        return f"{int(time.time())}.{uuid.uuid4().hex[:8]}"

    def _file_object(self, file_id: str, pending: dict[str, Any], title: str) -> dict[str, Any]:
        now = int(time.time())
        name = pending["filename"]
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        return {
            "id": file_id,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": title,
            "mimetype": "",
            "filetype": filetype,
            "user": self.bot_user_id,
            "size": len(pending["data"]),
            "url_private": f"{self.root_url}/files/{file_id}/{name}",
            "permalink": f"https://mentoring-org.slack.com/files/{self.bot_user_id}/{file_id}/{name}",
        }


# ---------------------------------------------------------------------- module helpers


def _basic_auth(header: str) -> dict[str, str]:
    """``client_id`` and ``client_secret`` from HTTP basic auth, as slack-sdk sends them."""
    if not header.startswith("Basic "):
        return {}
    client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    return {"client_id": client_id, "client_secret": secret}


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Merge query string and body (JSON, form or multipart) the way Slack reads arguments."""
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.name is None or not hasattr(part, "read"):
                    continue
                if getattr(part, "filename", None):
                    args[part.name] = await part.read()
                else:
                    args[part.name] = await part.text()
        else:
            args.update(parse_qsl(await request.text(), keep_blank_values=True))
    for key in _JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(value)
    return args


def _required(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    if value in (None, ""):
        raise SlackApiFailure("invalid_arguments")
    return str(value)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, (str, int)) and str(value) in _TRUE)


def _metadata(value: Any) -> dict[str, Any]:
    """Keep what Slack stores of message metadata: event_type and event_payload."""
    if not isinstance(value, dict) or "event_type" not in value:
        raise SlackApiFailure("invalid_metadata_format")
    return {"event_type": value["event_type"], "event_payload": value.get("event_payload", {})}


def _public_message(message: dict[str, Any], include_metadata: bool) -> dict[str, Any]:
    out = copy.deepcopy(message)
    if not include_metadata:
        out.pop("metadata", None)
    return out


def _paginate(
    items: list[dict[str, Any]], args: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Slack-style cursor pagination: an opaque ``next_cursor`` while ``has_more``."""
    limit = int(args.get("limit") or 100)
    start = 0
    if args.get("cursor"):
        start = int(base64.b64decode(str(args["cursor"])).decode().split(":", 1)[1])
    page = items[start : start + limit]
    has_more = start + limit < len(items)
    body: dict[str, Any] = {"has_more": has_more}
    if has_more:
        cursor = base64.b64encode(f"next_ts:{start + limit}".encode()).decode()
        body["response_metadata"] = {"next_cursor": cursor}
    return page, body


def _view_spec(args: dict[str, Any], surface: str) -> dict[str, Any]:
    """The ``view`` argument, refused with Slack's messages unless valid for ``surface``."""
    view = args.get("view")
    if not isinstance(view, dict) or "type" not in view:
        raise SlackApiFailure("invalid_arguments")
    found = block_kit.problems(view, surface)
    if found:
        raise SlackApiFailure("invalid_arguments", found)
    return view


def _check_message(args: dict[str, Any], blocks_total: bool = False) -> None:
    """Refuse a chat.* message as Slack does: bad blocks, too long a text or too much block text."""
    blocks = args.get("blocks")
    if blocks not in (None, "", []):
        if not isinstance(blocks, list):
            raise SlackApiFailure("invalid_blocks_format")
        found = block_kit.problems(blocks, "message")
        if found:
            raise SlackApiFailure("invalid_blocks", found, with_errors=True)
    if len(str(args.get("text") or "")) > block_kit.TEXT_LIMIT:
        raise SlackApiFailure("msg_too_long")
    if blocks_total and block_kit.blocks_text_length(blocks) > block_kit.BLOCKS_TEXT_LIMIT:
        raise SlackApiFailure("msg_blocks_too_long")


def _tz_fields(tz: str) -> dict[str, Any]:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
        tz = "UTC"
    now = datetime.now(UTC).astimezone(zone)
    offset = now.utcoffset()
    return {
        "tz": tz,
        "tz_label": now.tzname() or tz,
        "tz_offset": int(offset.total_seconds()) if offset else 0,
    }
