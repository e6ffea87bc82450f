"""What the soak checks once the tickers are done: every pair's welcome is in its Slack
conversation exactly once, and the database says so (sent, with that message's ts)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from bench.soak.workspace import member_ids
from bot.slack_app.outbound import DELIVERY_EVENT
from storage.models import Delivery, DeliveryKind, DeliveryStatus
from tests.fakes.slack_api import FakeSlack

SHOWN = 10  # ids listed per problem


@dataclass
class Verdict:
    """The counts a soak is judged by, with the pairs or deliveries behind each."""

    pairs: int
    statuses: Counter[str] = field(default_factory=Counter)
    posted: int = 0  # delivery messages in Slack, copies included
    duplicates: int = 0  # copies beyond the first, over every delivery
    duplicated: list[int] = field(default_factory=list)  # pairs with a copy
    lost: list[int] = field(default_factory=list)  # pairs whose welcome is not in Slack
    failed: list[tuple[int, str]] = field(default_factory=list)  # (delivery id, last error)
    unfinished: list[int] = field(default_factory=list)  # delivery ids left pending or sending
    wrong_refs: list[int] = field(default_factory=list)  # sent, but not with a message there
    strays: int = 0  # delivery messages in a conversation that is not their pair's
    max_attempts: int = 0

    @property
    def problems(self) -> list[str]:
        """One line per broken promise; empty when every welcome went exactly once."""
        found = []
        if self.duplicates:
            found.append(f"{self.duplicates} duplicate(s), pairs {_few(self.duplicated)}")
        if self.lost:
            found.append(f"{len(self.lost)} pair(s) lost their welcome: {_few(self.lost)}")
        if self.failed:
            first = self.failed[0]
            found.append(
                f"{len(self.failed)} delivery(ies) failed, e.g. {first[0]}: {first[1][:120]}"
            )
        if self.unfinished:
            found.append(f"{len(self.unfinished)} left pending/sending: {_few(self.unfinished)}")
        if self.wrong_refs:
            found.append(
                f"{len(self.wrong_refs)} sent row(s) without their message: {_few(self.wrong_refs)}"
            )
        if self.strays:
            found.append(f"{self.strays} message(s) in another pair's conversation")
        return found


def check(engine: Engine, slack: FakeSlack, pairs: int) -> Verdict:
    """Compare every delivery row with the messages in its pair's conversation."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Delivery.id,
                Delivery.pair_id,
                Delivery.kind,
                Delivery.status,
                Delivery.attempts,
                Delivery.message_ref,
                Delivery.conversation_ref,
                Delivery.last_error,
            ).order_by(Delivery.id)
        ).all()
    verdict = Verdict(pairs)
    by_pair: dict[int, list[tuple]] = {}
    for row in rows:
        by_pair.setdefault(row.pair_id, []).append(row)
        verdict.statuses[row.status] += 1
        verdict.max_attempts = max(verdict.max_attempts, row.attempts or 0)
        if row.status == DeliveryStatus.FAILED:
            verdict.failed.append((row.id, row.last_error or ""))
        elif row.status != DeliveryStatus.SENT:
            verdict.unfinished.append(row.id)
    for pair in range(1, pairs + 1):
        channel = slack.open_conversation(*member_ids(pair))
        copies: Counter[str] = Counter()
        stamps: dict[str, set[str]] = {}
        for message in slack.messages(channel):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") != DELIVERY_EVENT:
                continue
            key = str((metadata.get("event_payload") or {}).get("key"))
            copies[key] += 1
            stamps.setdefault(key, set()).add(message["ts"])
        verdict.posted += sum(copies.values())
        extra = sum(count - 1 for count in copies.values())
        if extra:
            verdict.duplicates += extra
            verdict.duplicated.append(pair)
        own = by_pair.get(pair, [])
        keys = {f"mentorbot-delivery-{row.id}" for row in own}
        verdict.strays += sum(count for key, count in copies.items() if key not in keys)
        welcomes = [row for row in own if row.kind == DeliveryKind.WELCOME]
        if not any(copies[f"mentorbot-delivery-{row.id}"] for row in welcomes):
            verdict.lost.append(pair)
        for row in own:
            if row.status != DeliveryStatus.SENT:
                continue
            there = stamps.get(f"mentorbot-delivery-{row.id}", set())
            if row.conversation_ref != channel or row.message_ref not in there:
                verdict.wrong_refs.append(row.id)
    return verdict


def _few(ids: list[int]) -> str:
    shown = ", ".join(map(str, ids[:SHOWN]))
    return shown + (f" … ({len(ids)})" if len(ids) > SHOWN else "")
