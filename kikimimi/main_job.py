"""``kikimimi run``: the scheduler, the pipeline and the notifier, in one process tree or
as separate role processes (``--role``, :mod:`kikimimi.roles`).

- the scheduler leader (:mod:`kikimimi.leader`) runs the crawl schedule
  (:mod:`kikimimi.scheduling`: one ``kikimimi crawl`` process per due source; crawlers fill
  the durable queue) and, between batches, the sweeps that run once per deployment: SLA
  escalations every ``alerting.cases.sla_sweep_seconds``, each audience's brand-health
  digest when its send time comes, the spike alerts every
  ``alerting.spikes.evaluate_every_seconds``; with the Redis queue a lease elects it among
  any number of schedulers;
- the pipeline (:mod:`kikimimi.pipeline`) takes batches from the queue through NLP, rules,
  indexing and cases, and stores notices in the outbox; with the Redis queue any number of
  pipelines share it, and each gives a dead one's claims to the others
  (:mod:`kikimimi.dead_workers`);
- a notifier thread delivers due notices from the outbox, with retries, and deletes the
  delivered ones older than ``alerting.keep_delivered_days`` (on start, then hourly);
- beside the web app's files of the state directory, the expired browser sessions are
  removed hourly (:mod:`kikimimi.session_sweeps`) and a warm-up thread embeds the trends
  page's new posts for its emerging themes every ``trends.emerging_refresh_minutes``
  (:mod:`kikimimi.emerging_warmup`); ``--role web`` does these beside the web app
  (:mod:`kikimimi.web_role`).

With the Redis queue, every role process records a heartbeat in Redis
(:mod:`kikimimi.workers`), which ``kikimimi status`` lists. A part whose work lives in files
of the state directory runs once per state directory: the job holds its lock
(:mod:`kikimimi.run_lock`) throughout. Elasticsearch unreachable, Redis unreachable, or the
state directory's disk full, pauses the pipeline (the crawls and the notifier go on) until a
retry finds it fixed; see :mod:`kikimimi.pipeline`. With ``until_idle`` the job ends once
what its parts drain is drained (the queue and the indexer's spool for the pipeline, the
outbox for the notifier); what it leaves otherwise is in :class:`RunResult`.

SIGINT/SIGTERM stop it gracefully: no new batch starts, the current one finishes and the
pipeline gives back what it still holds, running crawls finish, the leader gives back its
lease, and the notifier makes one last delivery pass. Anything interrupted harder
(``kill -9``) is picked up again, because every stage is idempotent: on the next start, or
at once by the other processes of the role.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from config import Settings
from core import RedisError, RedisMentionQueue, RedisUnavailableError, StorageFullError
from kikimimi import wiring
from kikimimi.dead_workers import DeadWorkerReaper
from kikimimi.emerging_warmup import EmergingThemesWarmup
from kikimimi.leader import SchedulerLeader
from kikimimi.pipeline import Pipeline, PipelineTotals
from kikimimi.roles import Duties, Role
from kikimimi.run_lock import holding_parts
from kikimimi.session_sweeps import SessionSweeps
from kikimimi.workers import Heartbeat, process_name, worker_registry

if TYPE_CHECKING:
    from alerts import Channel, Outbox

__all__ = ["RunOptions", "RunResult", "WorkLeft", "run_main_job"]

logger = logging.getLogger(__name__)

IDLE_SECONDS = 0.5
PROGRESS_EVERY_SECONDS = 1.0
STATUS_LOG_EVERY_SECONDS = 30.0
NOTICES_PER_PASS = 100
PURGE_EVERY_SECONDS = 3600.0
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class RunOptions:
    """How long and with what the main job runs."""

    duration_seconds: float | None = None
    schedule: bool = True
    batch_size: int = 256
    until_idle: bool = False
    live_progress: bool = False
    stop_when: Callable[[], bool] | None = None
    role: Role = "all"


@dataclass(frozen=True)
class WorkLeft:
    """What is still to do: mentions in the queue (waiting or claimed), documents in the
    indexer's spool, notices waiting for delivery; and the dead-lettered mentions, which
    wait for a person. ``unknown`` names what could not be counted (its store away)."""

    queued: int = 0
    spooled: int = 0
    notices: int = 0
    dead_letters: int = 0
    unknown: tuple[str, ...] = ()

    @property
    def idle(self) -> bool:
        """Nothing left that the job itself would do (dead letters aside)."""
        return not (self.queued or self.spooled or self.notices or self.unknown)

    def describe(self) -> str:
        parts = [
            f"{self.queued:,} mention(s) queued" if self.queued else "",
            f"{self.spooled:,} mention(s) spooled for Elasticsearch" if self.spooled else "",
            f"{self.notices:,} notice(s) pending" if self.notices else "",
            *(f"unknown: {what}" for what in self.unknown),
        ]
        return ", ".join(p for p in parts if p) or "nothing"


@dataclass(frozen=True)
class RunResult:
    """The totals of a run, and what it left."""

    totals: PipelineTotals
    left: WorkLeft


class _StopFlag:
    """Set by SIGINT/SIGTERM (or the duration), read by every loop."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.event.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, handler)


def run_main_job(
    settings: Settings,
    config_file: Path,
    options: RunOptions,
    say: Callable[[str], None],
) -> RunResult:
    """Run ``options.role`` (not ``web``: :mod:`kikimimi.web_role`) until stopped (signal,
    ``duration_seconds``, ``stop_when``, or idle with ``until_idle``), holding the locks its
    parts need; :class:`core.StateInUseError` when another run holds one."""
    duties = Duties.of(options.role)
    with holding_parts(settings, duties.parts):
        return _run(settings, config_file, options, duties, say)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Parts:
    """The parts of the job that this role runs (None: not this role's)."""

    outbox: Outbox
    pipeline: Pipeline | None = None
    notifier: _Notifier | None = None
    leader: SchedulerLeader | None = None
    sessions: SessionSweeps | None = None
    warmup: EmergingThemesWarmup | None = None
    presence: _Presence | None = None
    totals: PipelineTotals = field(default_factory=PipelineTotals)


def _run(
    settings: Settings,
    config_file: Path,
    options: RunOptions,
    duties: Duties,
    say: Callable[[str], None],
) -> RunResult:
    stop = _StopFlag()
    if threading.current_thread() is threading.main_thread():
        stop.install()
    parts = _build(settings, config_file, options, duties, stop=stop.event, say=say)
    pipeline, notifier = parts.pipeline, parts.notifier
    deadline = (
        None if options.duration_seconds is None else time.monotonic() + options.duration_seconds
    )
    progress = _Progress(pipeline, parts.totals, options.live_progress)
    try:
        _start(parts)
        while not stop.event.is_set() and not _told_to_stop(options, deadline):
            report = pipeline.step(options.batch_size) if pipeline is not None else None
            if report is not None:
                parts.totals.add(report)
                if report.notices and notifier is not None:
                    notifier.wake.set()
                progress.show()
            _sweep_when_due(parts)
            if pipeline is not None and pipeline.paused is not None:  # it logged why
                parts.totals.errors += 1
                stop.event.wait(pipeline.retry_in)
                continue
            if report is None or report.mentions == 0:
                if options.until_idle and _work_left(parts).idle:
                    break
                stop.event.wait(IDLE_SECONDS)
    finally:
        _stop(parts, stop.event)
        progress.finish()
    try:
        return RunResult(parts.totals, _work_left(parts, final=True))
    finally:
        parts.outbox.close()


def _build(
    settings: Settings,
    config_file: Path,
    options: RunOptions,
    duties: Duties,
    *,
    stop: threading.Event,
    say: Callable[[str], None],
) -> _Parts:
    """The parts ``duties`` asks for, built (the pipeline loads the NLP models)."""
    client = (
        wiring.prepare_elasticsearch(settings, say)
        if duties.pipeline or duties.scheduler
        else wiring.elasticsearch_client(settings)
    )
    pipeline = None
    if duties.pipeline:
        say("loading the NLP models")
        pipeline = wiring.pipeline(settings, client)
    parts = _Parts(wiring.outbox(settings), pipeline=pipeline)
    if duties.notifier:
        parts.notifier = _Notifier(settings, stop, parts.outbox)
    if duties.scheduler:
        parts.leader = SchedulerLeader(
            settings,
            config_file,
            client,
            parts.outbox,
            schedule=options.schedule,
            clock=_now,
            say=say,
        )
    if duties.web_sweeps:
        parts.sessions = SessionSweeps(settings, _now)
        parts.warmup = EmergingThemesWarmup.for_settings(settings, client, stop, _now)
    if settings.queue.backend == "redis":
        parts.presence = _Presence.for_settings(settings, duties.role, parts)
    return parts


def _start(parts: _Parts) -> None:
    """Make this process known (a first heartbeat before any claim), then start the parts
    beside the pipeline: the notifier, the warm-up, the scheduler leader."""
    if parts.presence is not None:
        parts.presence.start()
    if parts.notifier is not None:
        parts.notifier.start()
    if parts.warmup is not None:
        parts.warmup.start()
    if parts.leader is not None:
        parts.leader.start()


def _stop(parts: _Parts, stop: threading.Event) -> None:
    """Stop every part: the pipeline first (its batch in flight finishes, its claims go
    back), then the leader (running crawls finish), the notifier's last pass, the warm-up,
    and last the heartbeat."""
    try:
        if parts.pipeline is not None:
            parts.pipeline.close()
    finally:
        stop.set()
        if parts.notifier is not None:
            parts.notifier.wake.set()
        if parts.leader is not None:
            parts.leader.stop()
        if parts.notifier is not None:
            parts.notifier.join()
        if parts.warmup is not None:
            parts.warmup.join()
        if parts.presence is not None:
            parts.presence.stop()


def _sweep_when_due(parts: _Parts) -> None:
    """What is due between batches: the leader's sweeps (while Elasticsearch answers the
    pipeline; their notices wake the notifier), expired browser sessions, and a look for
    dead pipeline workers."""
    pipeline, leader = parts.pipeline, parts.leader
    if leader is not None and (pipeline is None or pipeline.paused is None):
        swept = leader.sweep_when_due()
        parts.totals.spikes += swept.spikes
        if (swept.notices or swept.spikes) and parts.notifier is not None:
            parts.notifier.wake.set()
    if parts.sessions is not None:
        parts.sessions.run_when_due()
    if parts.presence is not None:
        parts.presence.reap_when_due()


def _told_to_stop(options: RunOptions, deadline: float | None) -> bool:
    """The duration is over, or ``stop_when`` says so."""
    if deadline is not None and time.monotonic() >= deadline:
        return True
    return options.stop_when is not None and options.stop_when()


def _work_left(parts: _Parts, *, final: bool = False) -> WorkLeft:
    """What the parts of this role have left to drain: the queue and the spool (pipeline),
    the outbox (notifier). Asked whether idle, it stops at the first thing left (cheapest
    question first); ``final`` counts everything, dead letters too. A count whose store
    (Redis) does not answer is named in ``unknown`` instead of failing the job: the
    pipeline pauses on it by itself."""
    unknown: list[str] = []

    def count(what: str, question: Callable[[], int]) -> int:
        try:
            return question()
        except RedisError as exc:
            unknown.append(f"{what} ({exc})")
            return 0

    queued = spooled = notices = dead = 0
    if parts.pipeline is not None:
        queue = parts.pipeline.queue
        queued = count("the mentions queued", queue.depth)
        if final or not (queued or unknown):
            spooled = parts.pipeline.indexer.spool.pending_count()
        if final:
            dead = count("the dead letters", queue.dead_letter_count)
    if parts.notifier is not None and (final or not (queued or spooled or unknown)):
        notices = count("the notices pending", lambda: parts.outbox.counts().pending)
    return WorkLeft(queued, spooled, notices, dead, tuple(unknown))


class _Presence:
    """This process in Redis: its heartbeat and, for a pipeline, the look for dead pipeline
    workers whose claims it hands to the living."""

    def __init__(self, heartbeat: Heartbeat, reaper: DeadWorkerReaper | None) -> None:
        self.heartbeat = heartbeat
        self.reaper = reaper

    @classmethod
    def for_settings(cls, settings: Settings, role: str, parts: _Parts) -> _Presence:
        registry = worker_registry(settings)
        heartbeat = Heartbeat(registry, role, lambda: parts.totals.mentions)
        queue = parts.pipeline.queue if parts.pipeline is not None else None
        reaper = (
            DeadWorkerReaper(queue, registry, process_name())
            if isinstance(queue, RedisMentionQueue)
            else None
        )
        return cls(heartbeat, reaper)

    def start(self) -> None:
        self.heartbeat.begin()

    def reap_when_due(self) -> None:
        if self.reaper is not None:
            self.reaper.run_when_due()

    def stop(self) -> None:
        self.heartbeat.stop()
        self.heartbeat.registry.client.close()


class _Notifier(threading.Thread):
    """Delivers due notices from the outbox as soon as the pipeline queued some (``wake``),
    and at least once a second for retries; passes repeat while there is a backlog. Deletes
    old delivered notices on start and then every ``PURGE_EVERY_SECONDS``. A full disk or an
    unavailable Redis pauses it (one log line when the pause starts, one when it ends).
    ``outbox`` stays open for its owner to close."""

    def __init__(self, settings: Settings, stop: threading.Event, outbox: Outbox) -> None:
        super().__init__(name="notifier", daemon=True)
        self.settings = settings
        self.stop = stop
        self.outbox = outbox
        self.wake = threading.Event()
        self._leases_released = False
        self._next_purge = 0.0
        self._paused = False

    def run(self) -> None:
        channels = wiring.notification_channels(self.settings)
        while not self.stop.is_set():
            self._pass(self.outbox, channels)
            self.wake.wait(1.0)
            self.wake.clear()
        self._pass(self.outbox, channels)

    def _pass(self, outbox: Outbox, channels: Mapping[str, Channel]) -> None:
        try:
            self._release_old_leases(outbox)
            self._purge_when_due(outbox)
            while (
                outbox.deliver_due(channels, limit=NOTICES_PER_PASS).delivered == NOTICES_PER_PASS
            ):
                pass  # a backlog: go on at once
        except (StorageFullError, RedisUnavailableError) as exc:
            if not self._paused:
                logger.warning("notifier paused: %s; retrying every second", exc)
            self._paused = True
            return
        except Exception:
            logger.exception("notifier: delivery pass failed; retrying in a second")
            return
        if self._paused:
            logger.warning("notifier resumed: the outbox's storage answers again")
            self._paused = False

    def _release_old_leases(self, outbox: Outbox) -> None:
        if self._leases_released:
            return
        if released := outbox.release_leases():
            logger.warning("%d notice(s) claimed before a crash are sent again", released)
        self._leases_released = True

    def _purge_when_due(self, outbox: Outbox) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        days = self.settings.alerting.keep_delivered_days
        purged = outbox.purge_delivered(days * SECONDS_PER_DAY)
        if purged:
            logger.info("outbox: deleted %d notice(s) delivered over %g days ago", purged, days)


class _Progress:
    """A live line on a terminal; a structured log line every 30 s otherwise."""

    def __init__(self, pipeline: Pipeline | None, totals: PipelineTotals, live: bool) -> None:
        self.pipeline = pipeline
        self.totals = totals
        self.live = live
        self._last = 0.0
        self._every = PROGRESS_EVERY_SECONDS if live else STATUS_LOG_EVERY_SECONDS

    def show(self) -> None:
        now = time.monotonic()
        if self.pipeline is None or now - self._last < self._every:
            return
        self._last = now
        depth = self._depth(self.pipeline)
        t = self.totals
        if self.live:
            shown = "?" if depth is None else f"{depth:,}"
            sys.stderr.write(
                f"\r{t.mentions:,} mentions ({t.rate:,.0f}/s) · queue {shown} · cases "
                f"{t.cases_opened} opened, {t.cases_updated} updated · notices {t.notices} · "
                f"spikes {t.spikes}   "
            )
            sys.stderr.flush()
        else:
            logger.info(
                json.dumps(
                    {
                        "event": "progress",
                        "mentions": t.mentions,
                        "rate": round(t.rate, 1),
                        "queue_depth": depth,
                        "cases_opened": t.cases_opened,
                        "cases_updated": t.cases_updated,
                        "notices": t.notices,
                        "spikes": t.spikes,
                        "retries_while_paused": t.errors,
                    }
                )
            )

    @staticmethod
    def _depth(pipeline: Pipeline) -> int | None:
        """The queue's depth; None while its Redis does not answer (the pipeline pauses on
        that by itself)."""
        try:
            return pipeline.queue.depth()
        except RedisError:
            return None

    def finish(self) -> None:
        if self.live and self.pipeline is not None:
            sys.stderr.write("\n")
