"""One tick: plan what is owed, claim it, send it, record what happened. Exactly once.

Planning inserts one delivery row per (pair, kind, round) under a unique constraint, so two
processes planning at once write each row once. Claiming marks a batch of rows ``sending`` with
a claim token and a wall-clock lease in one UPDATE (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
so two tickers never take the same row, and batches are small so two tickers share a round.
The lease is renewed while the tick works; each send first takes its row again under the
token (counting the attempt and noting when the first one began), so a tick whose claim was
lost sends nothing, and each outcome is recorded the moment the platform answers. A row whose
lease ran out (the process died mid-send) is claimed again and re-sent with the same
idempotency key, which the platform adapter uses to search the conversation from the first
attempt for the message instead of posting twice. A failing row is retried with backoff until
its round's window (``late_limit`` after it was due) has passed; a pair paused or ended while
its row waited gets nothing. Each pair's failure is recorded on its row and never stops the
others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, joinedload, sessionmaker

from bot.core.announcements import owed_announcements
from bot.core.choosing import pair_histories
from bot.core.deliveries import WITH_ACTIVITY, compose
from bot.core.outbound import DeliveryError, Outbound, PairAddress, Sent
from bot.core.reflections import owed_reminders
from bot.core.replies import Message
from bot.core.rhythm import Rhythm, Slot, due_slots, local_moment, slots
from prompts.catalog import Catalog
from prompts.choice import choose_activity, phase_of
from scheduler.digests import Digests
from scheduler.retractions import retract_posts
from scheduler.rounds import PairClock, pair_clocks
from storage.db import run_in_transaction
from storage.history import latest_next_steps
from storage.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Meeting,
    Pair,
    PairStatus,
    Person,
)

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
RENEW_EVERY = LEASE.total_seconds() / 3  # real seconds between lease renewals
CLAIM_BATCH = 200
# Conversations opened ahead per tick: what Slack's tier 3 (50 a minute) paces within one
# minute's tick, so ticks do not overrun their minute and skip the next.
OPEN_AHEAD = 45
SEND_CONCURRENCY = 8
# Whether a member can be messaged, asked once a round: (platform, workspace, user id) -> reason
Reachability = dict[tuple[str, str, str], "asyncio.Task[str | None]"]


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min … capped at an hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery, composed and ready to send."""

    delivery_id: int
    kind: str
    address: PairAddress
    message: Message
    idempotency_key: str
    due_at: dt.datetime
    member_person_ids: tuple[int, ...]
    attempts: int = 0  # real send attempts, this one included once it has begun
    first_attempt_at: dt.datetime | None = None


@dataclass
class Outcome:
    outgoing: Outgoing
    sent: Sent | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None
    unreachable: dict[int, str] = field(default_factory=dict)
    reachable: tuple[int, ...] = ()  # members the platform now reports present
    window_over: bool = False  # its round's window has passed: no retry would be in time

    @property
    def failed_for_good(self) -> bool:
        """Not sent, and not worth another try."""
        return not self.sent and (self.permanent or self.window_over)


@dataclass
class TickReport:
    planned: int = 0
    sent: list[Outgoing] = field(default_factory=list)
    retrying: list[tuple[Outgoing, str]] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    would_send: list[Outgoing] = field(default_factory=list)
    lost: int = 0  # claimed rows another ticker took over (its lease had run out)
    opened: int = 0  # conversations opened ahead of a pair's first round
    retracted: int = 0  # the bot's posts about forgotten members deleted
    digests: int = 0  # coordinators' weekly digests sent


class LostClaim(Exception):
    """Another ticker holds the row now (this claim's lease had run out): send nothing."""


class Ticker:
    """Finds what is due and delivers it through the platforms' outbound ports."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: Catalog,
        outbounds: Mapping[str, Outbound],
        *,
        late_limit: dt.timedelta = dt.timedelta(days=7),
        clock: Callable[[], dt.datetime] | None = None,
        digests: Digests | None = None,
    ) -> None:
        self.sessions = sessions
        self.digests = digests
        self.catalog = catalog
        self.outbounds = dict(outbounds)
        self.late_limit = late_limit
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        # per platform, told where a pair's message went once it is recorded as sent (the
        # Slack Home tab shows a pair's latest suggestion)
        self.after_delivery: dict[str, Callable[[PairAddress], Awaitable[None]]] = {}

    async def tick(self, now: dt.datetime | None = None, *, dry_run: bool = False) -> TickReport:
        """Deliver everything due at ``now`` once; with ``dry_run``, only say what would go
        (everything due, touching no platform and writing nothing)."""
        now = now or self.clock()
        report = TickReport()
        if dry_run:
            report.would_send = await asyncio.to_thread(self._dry_run, now)
            return report
        report.retracted = await retract_posts(self.sessions, self.outbounds)
        report.planned = await asyncio.to_thread(
            run_in_transaction, self.sessions, lambda s: self.plan(s, now)
        )
        reachability: Reachability = {}  # for this round
        while True:  # batch by batch, so memory stays flat and two tickers share a round
            token = secrets.token_hex(8)
            claimed = await asyncio.to_thread(
                run_in_transaction, self.sessions, lambda s, t=token: self.claim(s, now, t)
            )
            if not claimed:
                report.opened = await self._open_ahead(now, reachability)
                if self.digests is not None:
                    report.digests = await self.digests.send_due(now)
                return report
            async with self._lease_kept(token):
                outcomes = await self._send_all(claimed, now, token, reachability)
            for outcome in outcomes:
                if outcome is None:
                    report.lost += 1
                elif outcome.sent:
                    report.sent.append(outcome.outgoing)
                elif outcome.failed_for_good:
                    report.failed.append((outcome.outgoing, outcome.error or ""))
                else:
                    report.retrying.append((outcome.outgoing, outcome.error or ""))

    def _dry_run(self, now: dt.datetime) -> list[Outgoing]:
        """What a tick at ``now`` would send: planned and claimed in a transaction that is
        rolled back, every due row at once."""
        session = self.sessions()
        try:
            self.plan(session, now)
            return self.claim(session, now, "dry-run", batch=None)
        finally:
            session.rollback()
            session.close()

    @asynccontextmanager
    async def _lease_kept(self, token: str) -> AsyncIterator[None]:
        """Renew the lease of this claim's unfinished rows while its batch is worked on, so a
        slow platform never lets another ticker take a row mid-send."""

        def renew(session: Session) -> None:
            session.execute(
                update(Delivery)
                .where(Delivery.claim_token == token, Delivery.status == DeliveryStatus.SENDING)
                .values(lease_until=self.clock() + LEASE)
            )

        async def keep() -> None:
            while True:
                await asyncio.sleep(RENEW_EVERY)
                try:
                    await asyncio.to_thread(run_in_transaction, self.sessions, renew)
                except Exception:  # the next renewal tries again; a lost row is not sent
                    log.exception("could not renew the lease of claim %s", token)

        keeper = asyncio.ensure_future(keep())
        try:
            yield
        finally:
            keeper.cancel()

    async def _open_ahead(self, now: dt.datetime, reachability: Reachability) -> int:
        """Open the conversations of active pairs that have none yet, a few each tick, so a
        kickoff round only posts. A pair with a member the platform reports gone is flagged
        instead (and so not tried again); another failure is left for the round to report."""

        def waiting(session: Session) -> list[tuple[PairAddress, tuple[int, int]]]:
            mentor, mentee = aliased(Person), aliased(Person)
            rows = session.execute(
                select(
                    Pair.id,
                    Pair.platform,
                    mentor.platform_user_id,
                    mentee.platform_user_id,
                    Pair.mentor_id,
                    Pair.mentee_id,
                    mentor.workspace,
                )
                .join(mentor, Pair.mentor_id == mentor.id)
                .join(mentee, Pair.mentee_id == mentee.id)
                .where(
                    Pair.status == PairStatus.ACTIVE,
                    Pair.conversation_id.is_(None),
                    Pair.platform.in_(list(self.outbounds)),
                    mentor.platform_user_id.is_not(None),
                    mentee.platform_user_id.is_not(None),
                    mentor.unreachable_reason.is_(None),
                    mentee.unreachable_reason.is_(None),
                )
                .order_by(Pair.start_date, Pair.id)
                .limit(OPEN_AHEAD)
            )
            return [
                (
                    PairAddress(p, platform, None, (a, b), workspace=workspace),
                    (mentor_id, mentee_id),
                )
                for p, platform, a, b, mentor_id, mentee_id, workspace in rows
            ]

        limit = asyncio.Semaphore(SEND_CONCURRENCY)
        gone: dict[int, str] = {}

        async def open_one(address: PairAddress, people: tuple[int, int]) -> tuple[int, str] | None:
            outbound = self.outbounds[address.platform]
            async with limit:
                try:
                    unreachable = await _unreachable_members(
                        outbound, address, people, reachability
                    )
                    if unreachable:
                        gone.update(unreachable)
                        return None
                    opened = await outbound.open_ahead(address)
                except DeliveryError as error:
                    log.info("pair %s: no conversation ahead: %s", address.pair_id, error.reason)
                    return None
            return (address.pair_id, opened) if opened else None

        waiting_pairs = await asyncio.to_thread(run_in_transaction, self.sessions, waiting)
        opened = [o for o in await asyncio.gather(*(open_one(*w) for w in waiting_pairs)) if o]

        def store(session: Session) -> None:
            pairs = Pair.__table__
            if opened:
                session.execute(
                    update(pairs)
                    .where(pairs.c.id == bindparam("b_id"), pairs.c.conversation_id.is_(None))
                    .values(conversation_id=bindparam("b_conv")),
                    [{"b_id": pair_id, "b_conv": conv} for pair_id, conv in opened],
                )
            if gone:  # flagged for the coordinators, as a round would
                _flag_unreachable(session, now, gone)

        if opened or gone:
            await asyncio.to_thread(run_in_transaction, self.sessions, store)
        return len(opened)

    # -- planning ---------------------------------------------------------------------------

    def plan(self, session: Session, now: dt.datetime) -> int:
        """Insert a pending delivery for every slot now due that has none; returns how many."""
        recent = session.execute(
            select(Delivery.pair_id, Delivery.kind, Delivery.round_key, Delivery.due_at).where(
                or_(
                    Delivery.due_at >= now - self.late_limit - dt.timedelta(days=1),
                    Delivery.kind == DeliveryKind.PROGRAM_CLOSING,
                )
            )
        ).all()
        existing = {(pair_id, kind, key) for pair_id, kind, key, _ in recent}
        # A welcome sent late stands for the rounds that fell due before it.
        welcomed = {p: _aware(due) for p, kind, _, due in recent if kind == DeliveryKind.WELCOME}
        owed: list[tuple[PairClock, Slot]] = []
        resumed = []
        unwelcomed = self._never_messaged(session)
        for clock in pair_clocks(session):
            rhythm = clock.rhythm
            today = now.astimezone(rhythm.zone).date()
            if clock.paused:
                if clock.paused_until is None or clock.paused_until > today:
                    continue
                resumed.append(clock.pair_id)
                owed.append((clock, _pause_over(clock, now)))
            if today > rhythm.end_date:
                candidates = [
                    Slot(
                        DeliveryKind.PROGRAM_CLOSING,
                        "end",
                        local_moment(rhythm.end_date, rhythm.local_time, rhythm.zone),
                    )
                ]
            else:
                candidates = due_slots(rhythm, now, self.late_limit)
                imported = unwelcomed.get(clock.pair_id)
                if imported is not None:
                    candidates = _welcome_first(rhythm, now, candidates, imported, self.late_limit)
            since = welcomed.get(clock.pair_id)
            owed += [
                (clock, slot)
                for slot in candidates
                if (clock.pair_id, slot.kind.value, slot.round_key) not in existing
                and (since is None or slot.kind == DeliveryKind.WELCOME or slot.due_at > since)
            ]
        if resumed:  # a pause that has run out ends here, once
            session.execute(
                update(Pair)
                .where(Pair.id.in_(resumed))
                .values(status=PairStatus.ACTIVE, paused_until=None)
            )
        owed = self._drop_needless_checkins(session, owed)
        told = owed_announcements(session, now, self.late_limit)
        told += owed_reminders(session, now, self.late_limit)
        if not owed and not told:
            return 0
        histories = pair_histories(
            session,
            self.catalog,
            {clock.pair_id for clock, slot in owed if slot.kind in WITH_ACTIVITY},
        )
        rows = []
        for clock, slot in owed:
            activity_id = None
            if slot.kind in WITH_ACTIVITY:
                chosen = choose_activity(
                    self.catalog,
                    histories[clock.pair_id],
                    now=now,
                    horizon=dt.timedelta(weeks=clock.rhythm.interval_weeks),
                    zone=clock.rhythm.zone,
                    seed=zlib.crc32(f"{clock.pair_id}:{slot.round_key}".encode()),
                    phase=phase_of(slot.kind, slot.round_key),
                )
                activity_id = chosen.id if chosen else None
                if chosen:
                    histories[clock.pair_id].offered[chosen.id] += 1
            rows.append(
                {
                    "pair_id": clock.pair_id,
                    "kind": slot.kind.value,
                    "round_key": slot.round_key,
                    "due_at": slot.due_at,
                    "activity_id": activity_id,
                    "announcement_id": None,
                    "reminds_id": None,
                    "status": DeliveryStatus.PENDING.value,
                    "swaps": 0,
                    "attempts": 0,
                    "created_at": now,
                }
            )
        fresh = {"status": DeliveryStatus.PENDING.value, "swaps": 0, "attempts": 0}
        blank = {"announcement_id": None, "reminds_id": None, "activity_id": None}
        rows += [{**blank, **row, **fresh, "created_at": now} for row in told]
        session.execute(_insert_ignoring_duplicates(session), rows)
        return len(rows)

    @staticmethod
    def _never_messaged(session: Session) -> dict[int, dt.datetime]:
        """Running pairs that have had no message at all, with when each was imported."""
        heard = select(Delivery.id).where(Delivery.pair_id == Pair.id).exists()
        query = select(Pair.id, Pair.created_at).where(Pair.status != PairStatus.ENDED, ~heard)
        return {pair_id: _aware(created) for pair_id, created in session.execute(query)}

    @staticmethod
    def _drop_needless_checkins(
        session: Session, owed: list[tuple[PairClock, Slot]]
    ) -> list[tuple[PairClock, Slot]]:
        """A check-in goes only to a pair with no meeting logged since its last suggestion."""
        checkin_pairs = {c.pair_id for c, slot in owed if slot.kind == DeliveryKind.CHECKIN}
        if not checkin_pairs:
            return owed
        last_sent = dict(
            session.execute(
                select(Delivery.pair_id, func.max(Delivery.sent_at))
                .where(Delivery.kind.in_(WITH_ACTIVITY), Delivery.status == DeliveryStatus.SENT)
                .group_by(Delivery.pair_id)
            ).all()
        )
        last_logged = dict(
            session.execute(
                select(Meeting.pair_id, func.max(Meeting.created_at)).group_by(Meeting.pair_id)
            ).all()
        )
        kept = []
        for clock, slot in owed:
            if slot.kind == DeliveryKind.CHECKIN:
                sent = last_sent.get(clock.pair_id)
                logged = last_logged.get(clock.pair_id)
                if sent is None or (logged is not None and _aware(logged) >= _aware(sent)):
                    continue
            kept.append((clock, slot))
        return kept

    # -- claiming ---------------------------------------------------------------------------

    def claim(
        self, session: Session, now: dt.datetime, token: str, batch: int | None = CLAIM_BATCH
    ) -> list[Outgoing]:
        """Take up to ``batch`` claimable rows (all, with None) and compose their messages.
        Claimable: due, not waiting for a retry, not leased by a live claim, and its pair
        active (a pair paused or ended since the row was planned gets nothing)."""
        wall = self.clock()
        candidates = (
            select(Delivery.id)
            .join(Pair, Pair.id == Delivery.pair_id)
            .where(
                Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)),
                or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
                or_(Delivery.lease_until.is_(None), Delivery.lease_until <= wall),
                Delivery.due_at <= now,
                Pair.status == PairStatus.ACTIVE,
            )
            .order_by(Delivery.due_at, Delivery.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(of=Delivery, skip_locked=True)
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(candidates.scalar_subquery()))
            .values(status=DeliveryStatus.SENDING, claim_token=token, lease_until=wall + LEASE)
            .execution_options(synchronize_session=False)
        )
        deliveries = list(
            session.scalars(
                select(Delivery)
                .options(
                    joinedload(Delivery.pair).joinedload(Pair.mentor),
                    joinedload(Delivery.pair).joinedload(Pair.mentee),
                    joinedload(Delivery.pair).joinedload(Pair.program),
                    joinedload(Delivery.answered_by),
                )
                .where(Delivery.claim_token == token)
                .order_by(Delivery.due_at, Delivery.id)
            ).unique()
        )
        next_steps = latest_next_steps(session, {d.pair_id for d in deliveries})
        return [self._outgoing(d, next_steps.get(d.pair_id)) for d in deliveries]

    def _outgoing(self, delivery: Delivery, next_steps: str | None) -> Outgoing:
        pair = delivery.pair
        return Outgoing(
            delivery_id=delivery.id,
            kind=delivery.kind,
            address=PairAddress(
                pair.id,
                pair.platform,
                pair.conversation_id,
                (pair.mentor.platform_user_id or "", pair.mentee.platform_user_id or ""),
                pair.program.pairs_channel_id,
                pair.mentor.workspace,
            ),
            message=compose(delivery, pair, self.catalog, next_steps),
            idempotency_key=delivery.idempotency_key,
            due_at=delivery.due_at,
            member_person_ids=(pair.mentor_id, pair.mentee_id),
        )

    # -- sending ----------------------------------------------------------------------------

    async def _send_all(
        self,
        claimed: Sequence[Outgoing],
        now: dt.datetime,
        token: str,
        reachability: Reachability,
    ) -> list[Outcome | None]:
        limit = asyncio.Semaphore(SEND_CONCURRENCY)

        async def send(outgoing: Outgoing) -> Outcome | None:
            async with limit:
                outcome = await self._send_one(outgoing, token, reachability)
                if outcome is not None:  # recorded the moment the platform answered
                    outcome.window_over = now - outgoing.due_at >= self.late_limit
                    await asyncio.to_thread(
                        run_in_transaction,
                        self.sessions,
                        lambda s: self.record(s, now, token, [outcome]),
                    )
                    told = self.after_delivery.get(outgoing.address.platform)
                    if outcome.sent is not None and told is not None:
                        await told(outgoing.address)
                return outcome

        return list(await asyncio.gather(*(send(item) for item in claimed)))

    def _begin(self, session: Session, delivery_id: int, token: str) -> tuple[int, dt.datetime]:
        """Take the row again under ``token`` for a real send: count the attempt, renew the
        lease and note the first attempt's moment. Raises ``LostClaim`` when another ticker
        holds the row now."""
        wall = self.clock()
        row = session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.claim_token == token,
                Delivery.status == DeliveryStatus.SENDING,
            )
            .values(
                attempts=Delivery.attempts + 1,
                lease_until=wall + LEASE,
                first_attempt_at=func.coalesce(Delivery.first_attempt_at, wall),
            )
            .returning(Delivery.attempts, Delivery.first_attempt_at)
        ).one_or_none()
        if row is None:
            raise LostClaim(delivery_id)
        return int(row[0]), _aware(row[1])

    async def _send_one(
        self,
        outgoing: Outgoing,
        token: str,
        reachability: Reachability,
    ) -> Outcome | None:
        """Send one claimed row; None when its claim was lost to another ticker."""
        outbound = self.outbounds.get(outgoing.address.platform)
        if outbound is None:
            return Outcome(
                outgoing, error=f"the {outgoing.address.platform} connection is not running"
            )
        reachable: tuple[int, ...] = ()
        try:
            if outgoing.kind in WITH_ACTIVITY:
                unreachable = await _unreachable_members(
                    outbound, outgoing.address, outgoing.member_person_ids, reachability
                )
                if unreachable:
                    reason = "; ".join(unreachable.values())
                    return Outcome(outgoing, error=reason, permanent=True, unreachable=unreachable)
                reachable = outgoing.member_person_ids
            attempts, first = await asyncio.to_thread(
                run_in_transaction,
                self.sessions,
                lambda s: self._begin(s, outgoing.delivery_id, token),
            )
            outgoing = replace(outgoing, attempts=attempts, first_attempt_at=first)
            sent = await outbound.send_to_pair(
                outgoing.address,
                outgoing.message,
                outgoing.idempotency_key,
                resend_since=first if attempts > 1 else None,
            )
            return Outcome(outgoing, sent=sent, reachable=reachable)
        except LostClaim:
            log.info("delivery %s was taken over by another ticker", outgoing.delivery_id)
            return None
        except DeliveryError as error:
            return Outcome(
                outgoing,
                error=error.reason,
                permanent=error.permanent,
                retry_after=error.retry_after,
            )
        except Exception as error:  # one pair's surprise must not stop the others
            log.exception("delivery %s failed", outgoing.delivery_id)
            return Outcome(outgoing, error=f"unexpected error: {error}")

    # -- recording --------------------------------------------------------------------------

    def record(
        self, session: Session, now: dt.datetime, token: str, outcomes: Sequence[Outcome]
    ) -> None:
        """Mark each claimed row sent, failed or due for a retry, in a few executemany calls."""
        table = Delivery.__table__
        sent_rows, retry_rows, failed_rows = [], [], []
        conversations: dict[int, str] = {}
        finished: list[int] = []  # told that their program has ended: they end now
        unreachable: dict[int, str] = {}
        reachable: set[int] = set()
        for outcome in outcomes:
            outgoing = outcome.outgoing
            if outcome.sent:
                sent_rows.append(
                    {
                        "b_id": outgoing.delivery_id,
                        "b_ref": outcome.sent.message_ref,
                        "b_conv": outcome.sent.conversation_id,
                    }
                )
                if outcome.sent.conversation_id != outgoing.address.conversation_id:
                    conversations[outgoing.address.pair_id] = outcome.sent.conversation_id
                if outgoing.kind == DeliveryKind.PROGRAM_CLOSING:
                    finished.append(outgoing.address.pair_id)
            elif outcome.failed_for_good:
                failed_rows.append(
                    {"b_id": outgoing.delivery_id, "b_error": (outcome.error or "")[:500]}
                )
            else:
                wait = backoff(max(outgoing.attempts, 1))
                if outcome.retry_after:
                    wait = max(wait, dt.timedelta(seconds=outcome.retry_after))
                retry_rows.append(
                    {
                        "b_id": outgoing.delivery_id,
                        "b_next": now + wait,
                        "b_error": (outcome.error or "")[:500],
                    }
                )
            unreachable.update(outcome.unreachable)
            reachable.update(outcome.reachable)
        mine = (table.c.id == bindparam("b_id")) & (table.c.claim_token == token)

        def release(rows: list[dict[str, object]], status: str, **values: object) -> None:
            """Hand this tick's claimed rows back with their new status, in one executemany."""
            if rows:
                statement = update(table).where(mine)
                session.execute(statement.values(status=status, claim_token=None, **values), rows)

        release(
            sent_rows,
            DeliveryStatus.SENT,
            message_ref=bindparam("b_ref"),
            conversation_ref=bindparam("b_conv"),
            sent_at=now,
            next_attempt_at=None,
            lease_until=None,
            last_error=None,
        )
        release(
            retry_rows,
            DeliveryStatus.PENDING,
            next_attempt_at=bindparam("b_next"),
            lease_until=None,
            last_error=bindparam("b_error"),
        )
        release(
            failed_rows,
            DeliveryStatus.FAILED,
            last_error=bindparam("b_error"),
            next_attempt_at=None,
            lease_until=None,
        )
        if conversations:
            pairs = Pair.__table__
            session.execute(
                update(pairs)
                .where(pairs.c.id == bindparam("b_id"))
                .values(conversation_id=bindparam("b_conv")),
                [{"b_id": pair_id, "b_conv": conv} for pair_id, conv in conversations.items()],
            )
        if finished:
            session.execute(
                update(Pair)
                .where(Pair.id.in_(finished), Pair.status != PairStatus.ENDED)
                .values(
                    status=PairStatus.ENDED,
                    ended_at=now,
                    paused_until=None,
                    end_reason="the program ended",
                )
            )
        if unreachable:
            _flag_unreachable(session, now, unreachable)
        if reachable:  # back on the platform: no longer flagged for the coordinators
            session.execute(
                update(Person)
                .where(Person.id.in_(reachable), Person.unreachable_reason.is_not(None))
                .values(unreachable_reason=None, unreachable_since=None)
            )


def _pause_over(clock: PairClock, now: dt.datetime) -> Slot:
    """The notice that a pause has run out by itself, once per pause (keyed by its end)."""
    return Slot(DeliveryKind.RESUMED, f"resumed:{clock.paused_until}", now)


def _welcome_first(
    rhythm: Rhythm,
    now: dt.datetime,
    due: list[Slot],
    imported: dt.datetime,
    late_limit: dt.timedelta,
) -> list[Slot]:
    """What a pair that has had no message is owed. Imported after its welcome's window had
    passed, it gets its welcome (which brings a first activity) now, instead of the round due;
    imported in time, it follows the year as any pair does (after downtime: the round it is
    in)."""
    welcome = slots(rhythm)[0]
    if welcome.kind != DeliveryKind.WELCOME or imported <= welcome.due_at + late_limit:
        return due
    return [replace(welcome, due_at=max(now, welcome.due_at))] if welcome.due_at <= now else due


def _flag_unreachable(session: Session, now: dt.datetime, reasons: Mapping[int, str]) -> None:
    """Mark these people (by id) as unreachable, with why, for the coordinators."""
    people = Person.__table__
    session.execute(
        update(people)
        .where(people.c.id == bindparam("b_id"))
        .values(unreachable_reason=bindparam("b_reason"), unreachable_since=now),
        [{"b_id": pid, "b_reason": reason[:200]} for pid, reason in reasons.items()],
    )


async def _unreachable_members(
    outbound: Outbound,
    address: PairAddress,
    person_ids: tuple[int, ...],
    cache: Reachability,
) -> dict[int, str]:
    """Why each member who cannot be messaged cannot, by person id (asked once a round)."""
    found = {}
    for person_id, user_id in zip(person_ids, address.member_ids, strict=True):
        key = (address.platform, address.workspace, user_id)
        if key not in cache:
            cache[key] = asyncio.ensure_future(
                outbound.unreachable_reason(user_id, workspace=address.workspace)
            )
        reason = await cache[key]
        if reason:
            found[person_id] = reason
    return found


def _insert_ignoring_duplicates(session: Session) -> object:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Delivery).on_conflict_do_nothing(
            constraint="uq_deliveries_pair_kind_round"
        )
    if dialect == "sqlite":
        return sqlite.insert(Delivery).on_conflict_do_nothing()
    return insert(Delivery)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
