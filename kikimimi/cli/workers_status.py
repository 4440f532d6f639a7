"""The processes of ``kikimimi run`` in ``kikimimi status``: with the Redis queue, every
process that has a heartbeat in Redis, and the scheduler leader; with the SQLite queue, the
parts of the main job running on this state directory."""

from __future__ import annotations

import time

import click

from config import Settings
from core import RedisError, WorkerBeat, one_line
from kikimimi.leader import LEADER_LEASE
from kikimimi.leadership import lease_for
from kikimimi.run_lock import lock_holders
from kikimimi.workers import worker_registry

__all__ = ["show_workers"]


def show_workers(settings: Settings) -> bool:
    """Print the section; whether it needs attention (Redis away, or processes run but no
    scheduler leads)."""
    if settings.queue.backend != "redis":
        held = lock_holders(settings)
        running = ", ".join(f"{part} (pid {pid or '?'})" for part, pid in held.items())
        click.echo(f"workers:        {running or 'no kikimimi run on this state directory'}")
        return False
    registry = worker_registry(settings)
    lease = lease_for(settings, LEADER_LEASE, "kikimimi status")
    try:
        workers = registry.alive()
        leader = lease.holder()
    except RedisError as exc:
        click.echo(f"workers:        {one_line(str(exc))}")
        return True
    finally:
        registry.client.close()
        lease.client.close()
    now = time.time()
    click.echo(f"workers:        {len(workers)} alive" if workers else "workers:        none alive")
    for beat in workers:
        mark = "  leader" if leader is not None and leader.owner == beat.name else ""
        click.echo(f"  {_line(beat, now)}{mark}")
    if leader is not None:
        click.echo(
            f"scheduler:      {one_line(leader.owner)} leads "
            f"(its lease runs out in {leader.expires_in:.0f} s unless renewed)"
        )
        return False
    if not workers:
        click.echo("scheduler:      none (no kikimimi run is alive)")
        return False
    click.echo(
        "scheduler:      NONE LEADS: no crawls are scheduled and no SLA, digest or spike sweep "
        "runs (start `kikimimi run --role scheduler` or `--role all`)"
    )
    return True


def _line(beat: WorkerBeat, now: float) -> str:
    """One worker: role, name, where, how long up, how fresh its beat, what it processed."""
    processed = f", {beat.processed:,} mention(s) processed" if beat.processed else ""
    return (
        f"{one_line(beat.role):<10} {one_line(beat.name)}  pid {beat.pid} on "
        f"{one_line(beat.host)}, up {_duration(now - beat.started_at)}, "
        f"last beat {_duration(now - beat.beat_at)} ago{processed}"
    )


def _duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
