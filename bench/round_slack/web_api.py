"""A local fake of Slack's Web API that enforces Slack's published rate limits in simulated time.

One workspace, served by aiohttp on 127.0.0.1 in the benchmark's own event loop, reading the
benchmark's ``VirtualClock``. The model:

- **Latency.** Every call takes ``LATENCY`` simulated seconds (50 ms) from arriving to being
  answered, limited or not; calls in flight at once overlap.
- **Tiers** (Slack's "Rate limits" page: per method, per workspace, requests per minute):
  tier 1 = 1+, tier 2 = 20+, tier 3 = 50+, tier 4 = 100+. The fake allows the published figure
  and no more: by default (``window``) at most that many calls accepted in any 60 simulated
  seconds; ``bucket`` is the lenient reading of "supports occasional bursts": a token bucket
  that holds a minute's worth and refills at the tier's rate. Refused calls do not count.
- **chat.postMessage** has no tier: about 1 message a second per channel (here: at most one per
  channel in any second), and "several hundred messages per minute" per workspace, which this
  fake takes as 750 a minute (``POSTS_PER_MINUTE``), window or bucket as above.
- **Over a limit** the answer is HTTP 429, ``{"ok": false, "error": "ratelimited"}`` and a
  ``Retry-After`` header: whole simulated seconds until the call would be accepted (at least 1).
- The rate limit is checked when a call arrives; what the call does (a message stored, a
  conversation opened) happens then too.

Members: those the benchmark adds, plus Slackbot and the bot itself, as a real users.list
has them (so N pairs' 2N members take N/500 + 1 pages of 1,000).

Methods: users.list (cursor paging, pages of up to 1,000 members), users.info,
users.lookupByEmail, conversations.open, conversations.history (newest first, ``oldest`` /
``latest``, cursor paging, metadata with ``include_all_metadata``), conversations.info,
chat.postMessage, chat.update, chat.delete and auth.test. Anything else is counted and answered
``unknown_method``. Per-call work is a dict lookup or two, so 10,000 pairs' calls take seconds.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bench.round_slack.clock import VirtualClock

LATENCY = 0.05  # simulated seconds per call
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIERS = {
    "users.list": 2,
    "users.info": 4,
    "users.lookupByEmail": 3,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "chat.update": 3,
    "chat.delete": 3,
    "auth.test": 4,  # Slack lists it as "special"; generous enough for a benchmark
}
# Slack: "several hundred messages per minute" per workspace; we take 750 as the ceiling.
POSTS_PER_MINUTE = 750
POST_GAP_PER_CHANNEL = 1.0  # seconds: about one message a second per channel
USERS_PAGE_MAX = 1000
HISTORY_PAGE_MAX = 999
TEAM_ID = "T0BENCH"
BOT_USER_ID = "UBOT"
SLACKBOT_ID = "USLACKBOT"
LIMITS = ("window", "bucket")


class ApiError(Exception):
    """Answered as ``{"ok": false, "error": code}`` with HTTP 200, as Slack does."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Window:
    """At most ``per_minute`` calls accepted in any 60 seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.accepted: deque[float] = deque()

    def admit(self, now: float) -> int | None:
        """None when the call may go (and counts it), else the Retry-After in seconds."""
        while self.accepted and self.accepted[0] <= now - 60:
            self.accepted.popleft()
        if len(self.accepted) >= self.per_minute:
            return max(1, math.ceil(self.accepted[0] + 60 - now))
        self.accepted.append(now)
        return None


class Bucket:
    """A token bucket holding ``per_minute`` calls, refilled at ``per_minute`` a minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.tokens = float(per_minute)
        self.updated: float | None = None

    def admit(self, now: float) -> int | None:
        if self.updated is not None:
            gained = (now - self.updated) * self.per_minute / 60
            self.tokens = min(float(self.per_minute), self.tokens + gained)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return max(1, math.ceil((1 - self.tokens) * 60 / self.per_minute))


@dataclass
class Tally:
    """What the fake answered, per method."""

    calls: Counter[str] = field(default_factory=Counter)
    limited: Counter[str] = field(default_factory=Counter)
    changes: int = 0  # calls that changed the workspace: opened, posted, updated, deleted
    last_post_at: float | None = None

    def copy(self) -> Tally:
        return Tally(Counter(self.calls), Counter(self.limited), self.changes, self.last_post_at)

    def since(self, before: Tally) -> Tally:
        return Tally(
            self.calls - before.calls,
            self.limited - before.limited,
            self.changes - before.changes,
            self.last_post_at,
        )


def _member(user_id: str, number: int, deleted: bool) -> dict[str, Any]:
    name = f"member{number}"
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": deleted,
        "real_name": f"Member {number}",
        "tz": "America/New_York",
        "tz_offset": -18000,
        "is_bot": False,
        "profile": {
            "display_name": name,
            "real_name": f"Member {number}",
            "email": f"{name}@example.org",
        },
    }


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().partition(":")[2])
    except ValueError:
        raise ApiError("invalid_cursor") from None


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


class RateLimitedSlack:
    """The fake workspace and its HTTP server (``async with``; ``url`` is the API base)."""

    def __init__(self, clock: VirtualClock, limits: str = "window") -> None:
        if limits not in LIMITS:
            raise ValueError(f"limits must be one of {LIMITS}")
        self.clock = clock
        self.limits = limits
        self.tally = Tally()
        self.members: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self._by_email: dict[str, dict[str, Any]] = {}
        self._conversations: dict[str, tuple[str, ...]] = {}
        self._by_users: dict[frozenset[str], str] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}  # channel: oldest first
        self._keys: Counter[str] = Counter()  # idempotency keys seen in posted metadata
        self._limiters: dict[str, Window | Bucket] = {}
        self._last_post: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""
        for user_id, name, is_bot in (
            (SLACKBOT_ID, "slackbot", False),
            (BOT_USER_ID, "mentorbot", True),
        ):
            member = _member(user_id, 0, deleted=False)  # users.list lists these two too
            member.update(name=name, is_bot=is_bot)
            self.members.append(member)
            self._by_id[user_id] = member

    # -- the workspace -----------------------------------------------------------------------

    def add_members(self, user_ids: list[str], deleted: set[str]) -> None:
        for number, user_id in enumerate(user_ids, len(self.members) - 1):
            member = _member(user_id, number, user_id in deleted)
            self.members.append(member)
            self._by_id[user_id] = member
            self._by_email[member["profile"]["email"]] = member

    def add_conversation(self, channel: str, users: tuple[str, ...]) -> None:
        """A group DM that is already open (a later round's pairs have one)."""
        self._conversations[channel] = users
        self._by_users[frozenset(users)] = channel
        self._messages[channel] = []

    def duplicate_posts(self) -> int:
        """Messages posted with an idempotency key that an earlier message already had."""
        return sum(count - 1 for count in self._keys.values() if count > 1)

    # -- serving -----------------------------------------------------------------------------

    async def __aenter__(self) -> RateLimitedSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/api/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        self.tally.calls[method] += 1
        retry_after = self._admit(method, args)
        if retry_after is None:
            try:
                body = {"ok": True, **self._answer(method, args)}
            except ApiError as error:
                body = {"ok": False, "error": error.code}
        await self.clock.sleep(LATENCY)
        if retry_after is not None:
            self.tally.limited[method] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        return web.json_response(body)

    def _limiter(self, key: str, per_minute: int) -> Window | Bucket:
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = (Window if self.limits == "window" else Bucket)(per_minute)
            self._limiters[key] = limiter
        return limiter

    def _admit(self, method: str, args: dict[str, Any]) -> int | None:
        now = self.clock.now
        if method == "chat.postMessage":
            channel = str(args.get("channel") or "")
            last = self._last_post.get(channel)
            if last is not None and now - last < POST_GAP_PER_CHANNEL:
                return max(1, math.ceil(last + POST_GAP_PER_CHANNEL - now))
            wait = self._limiter(method, POSTS_PER_MINUTE).admit(now)
            if wait is None:
                self._last_post[channel] = now
            return wait
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        return self._limiter(method, TIER_PER_MINUTE[tier]).admit(now)

    # -- the methods -------------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            raise ApiError("unknown_method")
        return handler(args)

    def _user(self, args: dict[str, Any]) -> dict[str, Any]:
        member = self._by_id.get(str(args.get("user") or ""))
        if member is None:
            raise ApiError("user_not_found")
        return member

    def _channel(self, args: dict[str, Any]) -> str:
        channel = str(args.get("channel") or "")
        if channel not in self._conversations:
            raise ApiError("channel_not_found")
        return channel

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "BBOT", "team": "Bench"}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        limit = int(args.get("limit") or USERS_PAGE_MAX)
        limit = min(limit, USERS_PAGE_MAX) if limit > 0 else USERS_PAGE_MAX
        start = _offset(args.get("cursor"))
        page = self.members[start : start + limit]
        more = start + limit < len(self.members)
        return {
            "members": page,
            "cache_ts": int(self.clock.now),
            "response_metadata": {"next_cursor": _cursor(start + limit) if more else ""},
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user(args)}

    def _users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        member = self._by_email.get(str(args.get("email") or ""))
        if member is None:
            raise ApiError("users_not_found")
        return {"user": member}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": self._channel(args)}, "already_open": True}
        users = tuple(u for u in str(args.get("users") or "").split(",") if u)
        if not users:
            raise ApiError("users_list_not_supplied")
        for user in users:
            member = self._by_id.get(user)
            if member is None:
                raise ApiError("user_not_found")
            if member["deleted"]:
                raise ApiError("user_disabled")
        found = self._by_users.get(frozenset(users))
        if found:
            return {"no_op": True, "already_open": True, "channel": {"id": found}}
        channel = f"{'D' if len(users) == 1 else 'G'}{next(self._ids):09d}"
        self.add_conversation(channel, users)
        self.tally.changes += 1
        return {"channel": {"id": channel}}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        users = self._conversations[channel]
        return {"channel": {"id": channel, "is_mpim": len(users) > 1, "is_im": len(users) == 1}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        messages = self._messages[self._channel(args)]
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or math.inf)
        limit = min(int(args.get("limit") or 100), HISTORY_PAGE_MAX)
        start = _offset(args.get("cursor"))
        with_metadata = _truthy(args.get("include_all_metadata"))
        newest_first = [m for m in reversed(messages) if oldest <= float(m["ts"]) <= latest]
        page = newest_first[start : start + limit]
        more = start + limit < len(newest_first)
        return {
            "messages": [
                m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in page
            ],
            "has_more": more,
            "response_metadata": {"next_cursor": _cursor(start + limit) if more else ""},
        }

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        ts = f"{int(self.clock.now)}.{next(self._ids):06d}"
        message: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "ts": ts}
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
            key = (metadata.get("event_payload") or {}).get("key")
            if key:
                self._keys[str(key)] += 1
        self._messages[channel].append(message)
        self.tally.last_post_at = self.clock.now
        self.tally.changes += 1
        return {"channel": channel, "ts": ts, "message": message}

    def _find_message(self, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        channel = self._channel(args)
        ts = str(args.get("ts") or "")
        for message in self._messages[channel]:
            if message["ts"] == ts:
                return channel, message
        raise ApiError("message_not_found")

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._find_message(args)
        self.tally.changes += 1
        return {"channel": channel, "ts": message["ts"]}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._find_message(args)
        self._messages[channel].remove(message)
        self.tally.changes += 1
        return {"channel": channel, "ts": message["ts"]}
