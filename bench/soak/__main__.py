"""The soak at size, on SQLite and on PostgreSQL (a private server from initdb/pg_ctl, or
``--postgres-url``); figures, each promise beside its target. Exits 1 when a welcome went
twice, went missing or was recorded wrongly.

    python -m bench.soak [--pairs 400] [--seed N] [--database sqlite postgresql]
                         [--budget 3600] [--opened-ahead] [--postgres-url URL]

The seed comes from ``--seed``, else ``SOAK_SEED``, else is drawn; it is printed, and the same
seed draws the same waves, kills and faults.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.fixtures import render
from bench.soak.run import SoakConfig, SoakResult, run_soak

DATABASES = ("sqlite", "postgresql")


@contextmanager
def database(kind: str, folder: Path, postgres_url: str | None) -> Iterator[str]:
    """A fresh, empty database of ``kind``: a file in ``folder``, or a new PostgreSQL database
    on the server at ``postgres_url`` or on a private one started for the soak."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'soak.db'}"
        return
    if postgres_url:
        yield postgres_url
        return
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    name = f"soak_{uuid.uuid4().hex[:10]}"
    server.start()
    try:
        server.create_database(name)
        yield server.url(name)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=None, help="default: $SOAK_SEED, or drawn")
    parser.add_argument("--database", nargs="+", choices=DATABASES, default=list(DATABASES))
    parser.add_argument("--budget", type=float, default=3600.0, help="real seconds per database")
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--kill-share", type=float, default=0.4)
    parser.add_argument(
        "--kill-window", type=float, default=None, help="seconds (default: grows with --pairs)"
    )
    parser.add_argument(
        "--opened-ahead",
        action="store_true",
        help="pairs' group DMs already open (no conversations.open in the round)",
    )
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to use instead")
    args = parser.parse_args()
    seed = args.seed
    if seed is None and os.environ.get("SOAK_SEED"):
        seed = int(os.environ["SOAK_SEED"])
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    print(f"soak seed {seed} (SOAK_SEED={seed} python -m bench.soak … repeats it)", flush=True)
    results: list[SoakResult] = []
    for kind in args.database:
        with (
            tempfile.TemporaryDirectory(prefix=f"mentorbot-soak-{kind}-") as folder,
            database(kind, Path(folder), args.postgres_url) as url,
        ):
            print(f"running the soak on {kind}, {args.pairs} pairs …", file=sys.stderr, flush=True)
            config = SoakConfig(
                database_url=url,
                workdir=Path(folder) / "ticks",
                pairs=args.pairs,
                seed=seed,
                budget_s=args.budget,
                fault_rate=args.fault_rate,
                kill_share=args.kill_share,
                kill_window_s=args.kill_window or kill_window(args.pairs),
                opened_ahead=args.opened_ahead,
            )
            results.append(run_soak(config))
    render([result.report() for result in results])
    sys.exit(1 if any(result.verdict.problems for result in results) else 0)


def kill_window(pairs: int) -> float:
    """Seconds within which a killed tick dies: about half as long as a tick paced to Slack's
    tiers takes to open and post to every pair, so kills land all through its sends."""
    return 3.0 + pairs * 0.25


if __name__ == "__main__":
    main()
