"""A Slack Web API in front of the fake that fails a share of the calls, as Slack does.

Each call the bot makes reaches this proxy (its ``SLACK_API_URL``); a seeded draw answers it
429 (``Retry-After: 1``), 500 or 503 instead of passing it on. Some of the 5xx answers to
``chat.postMessage`` come *after* the fake stored the message: Slack can post and still fail
the call, which is the case a re-send has to find rather than post again.

The draw for a call depends on the seed, the call's identity (which delivery it posts, which
member it asks about, …) and how many times that identity was seen before, not on the order
in which concurrent ticks happen to send, so a seed's faults fall on the same calls each run.

After a delivery's message first lands in a conversation the members chat there (``chatter``
messages), so a re-send has to search past them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from bench.soak.workspace import chat
from bot.slack_app.outbound import DELIVERY_EVENT
from tests.fakes.slack_api import FakeSlack

FAULTS = (429, 500, 503)
ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
FORWARDED = ("Authorization", "Content-Type")
AFTER_STORING = 0.5  # share of chat.postMessage's 5xx faults answered after the post was stored


@dataclass(frozen=True)
class Fault:
    status: int
    after_storing: bool = False

    @property
    def label(self) -> str:
        return f"{self.status} after storing" if self.after_storing else str(self.status)


class FaultyProxy:
    """Serves ``/api/{method}`` on 127.0.0.1 in a thread of its own, passing calls to ``fake``
    unless the draw fails them; ``faults`` counts what it injected, by kind."""

    def __init__(self, fake: FakeSlack, *, seed: int, rate: float = 0.2, chatter: int = 60) -> None:
        self.fake = fake
        self.seed = seed
        self.rate = rate
        self.chatter = chatter
        self.calls: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.member_messages = 0
        self._seen: Counter[str] = Counter()
        self._chatted: set[str] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FaultyProxy:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="FaultyProxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
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
        self._loop = self._thread = None

    async def _serve(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    @property
    def url(self) -> str:
        """The Web API base URL to give the bot as ``SLACK_API_URL``."""
        if self._port is None:
            raise RuntimeError("the fault proxy is not started")
        return f"http://127.0.0.1:{self._port}/api/"

    # -- calls -----------------------------------------------------------------------------

    def draw(self, method: str, args: dict[str, Any]) -> Fault | None:
        """The fault (or none) for this call: its identity's next draw under the seed."""
        identity = _identity(method, args)
        with self._lock:
            seen = self._seen[identity]
            self._seen[identity] += 1
        rng = random.Random(f"{self.seed}/{identity}/{seen}")
        if rng.random() >= self.rate:
            return None
        status = rng.choice(FAULTS)
        after = method == "chat.postMessage" and status != 429 and rng.random() < AFTER_STORING
        return Fault(status, after)

    async def _handle(self, request: web.Request) -> web.Response:
        assert self._session is not None
        method = request.match_info["method"]
        body = await request.read()
        args = _read_args(request, body)
        with self._lock:
            self.calls[method] += 1
        fault = self.draw(method, args)
        if fault is not None and not fault.after_storing:
            return self._failed(fault)
        target = self.fake.url + method
        if request.query_string:
            target += "?" + request.query_string
        headers = {k: v for k, v in request.headers.items() if k in FORWARDED}
        async with self._session.request(
            request.method, target, data=body, headers=headers
        ) as answer:
            payload = await answer.read()
            status, content_type = answer.status, answer.headers.get("Content-Type", "")
        if method == "chat.postMessage" and status == 200:
            self._members_chat(args, payload)
        if fault is not None:
            return self._failed(fault)
        return web.Response(body=payload, status=status, headers={"Content-Type": content_type})

    def _failed(self, fault: Fault) -> web.Response:
        with self._lock:
            self.faults[fault.label] += 1
        headers = {"Retry-After": "1"} if fault.status == 429 else {}
        body = {"ok": False, "error": ERRORS[fault.status]}
        return web.json_response(body, status=fault.status, headers=headers)

    def _members_chat(self, args: dict[str, Any], payload: bytes) -> None:
        """Once a conversation has its first delivery, its members chat ``chatter`` times."""
        if _delivery_key(args) is None:
            return
        with contextlib.suppress(ValueError):
            answer = json.loads(payload)
            channel = str(answer.get("channel") or "") if answer.get("ok") else ""
            with self._lock:
                if not channel or channel in self._chatted:
                    return
                self._chatted.add(channel)
            added = chat(self.fake, channel, self.chatter)
            with self._lock:
                self.member_messages += added


def _read_args(request: web.Request, body: bytes) -> dict[str, Any]:
    """The call's arguments from its query string and its JSON or form body."""
    args: dict[str, Any] = dict(request.query)
    if not body:
        return args
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError):
            decoded = json.loads(body)
            if isinstance(decoded, dict):
                args.update(decoded)
    elif request.content_type == "application/x-www-form-urlencoded":
        args.update(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
    return args


def _delivery_key(args: dict[str, Any]) -> str | None:
    metadata = args.get("metadata")
    if isinstance(metadata, str):
        with contextlib.suppress(ValueError):
            metadata = json.loads(metadata)
    if not isinstance(metadata, dict) or metadata.get("event_type") != DELIVERY_EVENT:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key else None


def _identity(method: str, args: dict[str, Any]) -> str:
    """What a call is about, so its draws do not depend on how concurrent calls interleave."""
    if method == "chat.postMessage":
        about = _delivery_key(args) or args.get("channel")
    elif method == "users.info":
        about = args.get("user")
    elif method == "conversations.open":
        about = args.get("users") or args.get("channel")
    elif method == "conversations.history":
        about = f"{args.get('channel')}/{args.get('cursor') or ''}"
    else:
        about = args.get("cursor") or args.get("channel") or ""
    return f"{method}:{about}"
