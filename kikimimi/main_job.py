"""``kikimimi run``: the scheduler, the pipeline and the notifier in one process tree.

- the crawl scheduler (:mod:`kikimimi.scheduling`) starts one ``kikimimi crawl`` process
  per due source; crawlers fill the durable queue;
- the pipeline (:mod:`kikimimi.pipeline`) takes batches from the queue through NLP, rules,
  indexing and cases, and stores notices in the outbox;
- between batches, the SLA sweep (:mod:`kikimimi.sla_sweeps`) marks and escalates the
  cases past their SLA, every ``alerting.cases.sla_sweep_seconds``, each audience's
  brand-health digest is queued when its send time comes (:mod:`kikimimi.digest`), and the
  web app's expired browser sessions are removed hourly (:mod:`kikimimi.session_sweeps`);
- a notifier thread delivers due notices from the outbox, with retries, and deletes the
  delivered ones older than ``alerting.keep_delivered_days`` (on start, then hourly);
- a warm-up thread embeds the trends page's new posts for its emerging themes every
  ``trends.emerging_refresh_minutes`` (:mod:`kikimimi.emerging_warmup`).

One run per state directory: the job holds its lock (:mod:`kikimimi.run_lock`) throughout.
Elasticsearch unreachable, or the state directory's disk full, pauses the pipeline (the
crawls and the notifier go on) until a retry finds it fixed; see :mod:`kikimimi.pipeline`.
With ``until_idle`` the job ends once the queue, the indexer's spool and the outbox are all
drained; what it leaves otherwise is in :class:`RunResult`.

SIGINT/SIGTERM stop it gracefully: no new batch starts, the current one finishes, running
crawls finish, and the notifier makes one last delivery pass. Anything interrupted harder
(``kill -9``) is picked up on the next start, because every stage is idempotent.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from config import Settings
from core import StorageFullError, disk_full_errors
from kikimimi import wiring
from kikimimi.digest import DigestSweeps
from kikimimi.emerging_warmup import EmergingThemesWarmup
from kikimimi.pipeline import BatchReport, Pipeline, PipelineTotals
from kikimimi.run_lock import holding_state_dir
from kikimimi.session_sweeps import SessionSweeps
from kikimimi.sla_sweeps import SlaSweeps

if TYPE_CHECKING:
    from alerts import Channel, Outbox
    from kikimimi.scheduling import CrawlScheduler

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


@dataclass(frozen=True)
class WorkLeft:
    """What is still to do: mentions in the queue (waiting or claimed), documents in the
    indexer's spool, notices waiting for delivery; and the dead-lettered mentions, which
    wait for a person."""

    queued: int = 0
    spooled: int = 0
    notices: int = 0
    dead_letters: int = 0

    @property
    def idle(self) -> bool:
        """Nothing left that the job itself would do (dead letters aside)."""
        return not (self.queued or self.spooled or self.notices)

    def describe(self) -> str:
        parts = [
            f"{self.queued:,} mention(s) queued" if self.queued else "",
            f"{self.spooled:,} mention(s) spooled for Elasticsearch" if self.spooled else "",
            f"{self.notices:,} notice(s) pending" if self.notices else "",
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
    """Run until stopped (signal, ``duration_seconds``, ``stop_when``, or idle with
    ``until_idle``), holding the state directory; :class:`core.StateInUseError` when another
    run holds it."""
    with holding_state_dir(settings):
        return _run(settings, config_file, options, say)


def _run(
    settings: Settings,
    config_file: Path,
    options: RunOptions,
    say: Callable[[str], None],
) -> RunResult:
    from kikimimi.scheduling import CrawlScheduler  # noqa: PLC0415 - loads with the job only

    stop = _StopFlag()
    if threading.current_thread() is threading.main_thread():
        stop.install()
    client = wiring.prepare_elasticsearch(settings, say)
    say("loading the NLP models")
    pipeline = wiring.pipeline(settings, client)
    outbox = wiring.outbox(settings)
    notifier = _Notifier(settings, stop.event, outbox)
    sweeps = SlaSweeps.for_settings(settings, client, outbox, pipeline.clock)
    digests = DigestSweeps.for_settings(settings, client, outbox, pipeline.clock)
    sessions = SessionSweeps(settings, pipeline.clock)
    warmup = EmergingThemesWarmup.for_settings(settings, client, stop.event, pipeline.clock)
    scheduler = CrawlScheduler(settings, config_file) if options.schedule else None
    totals = PipelineTotals()
    deadline = (
        None if options.duration_seconds is None else time.monotonic() + options.duration_seconds
    )
    _start(notifier, warmup, scheduler, say)
    progress = _Progress(pipeline, totals, options.live_progress)
    try:
        while not stop.event.is_set() and not _told_to_stop(options, deadline):
            report = pipeline.step(options.batch_size)
            if report is not None:
                totals.add(report)
                if report.notices or report.spikes:
                    notifier.wake.set()
                progress.show(report)
            _sweep_when_due(pipeline, sweeps, digests, sessions, notifier)
            if pipeline.paused is not None:  # the pipeline logged why, and when it retries
                totals.errors += 1
                stop.event.wait(pipeline.retry_in)
                continue
            if report is None or report.mentions == 0:
                if options.until_idle and _idle(pipeline, outbox):
                    break
                stop.event.wait(IDLE_SECONDS)
    finally:
        pipeline.close()
        stop.event.set()
        notifier.wake.set()
        progress.finish()
        if scheduler is not None:
            say("stopping: waiting for running crawls")
            scheduler.shutdown(wait=True)
        notifier.join()
        warmup.join()
    try:
        return RunResult(totals, _work_left(pipeline, outbox))
    finally:
        outbox.close()


def _start(
    notifier: _Notifier,
    warmup: EmergingThemesWarmup,
    scheduler: CrawlScheduler | None,
    say: Callable[[str], None],
) -> None:
    """Start the threads beside the pipeline: the notifier, the warm-up, the crawl schedule."""
    notifier.start()
    warmup.start()
    if scheduler is not None:
        names = scheduler.start()
        say(f"scheduling {len(names)} source(s): {', '.join(names) or 'none enabled'}")


def _sweep_when_due(
    pipeline: Pipeline,
    sla: SlaSweeps,
    digests: DigestSweeps,
    sessions: SessionSweeps,
    notifier: _Notifier,
) -> None:
    """The sweeps whose time has come: SLA breaches and digests (while Elasticsearch
    answers; their notices wake the notifier) and expired browser sessions."""
    if pipeline.paused is None and sla.run_when_due():
        notifier.wake.set()
    if pipeline.paused is None and digests.run_when_due():
        notifier.wake.set()
    sessions.run_when_due()


def _told_to_stop(options: RunOptions, deadline: float | None) -> bool:
    """The duration is over, or ``stop_when`` says so."""
    if deadline is not None and time.monotonic() >= deadline:
        return True
    return options.stop_when is not None and options.stop_when()


def _idle(pipeline: Pipeline, outbox: Outbox) -> bool:
    """Queue, spool and outbox drained (cheapest question first)."""
    return (
        pipeline.queue.depth() == 0
        and not pipeline.indexer.spool.pending()
        and outbox.counts().pending == 0
    )


def _work_left(pipeline: Pipeline, outbox: Outbox) -> WorkLeft:
    return WorkLeft(
        queued=pipeline.queue.depth(),
        spooled=pipeline.indexer.spool.pending_count(),
        notices=outbox.counts().pending,
        dead_letters=pipeline.queue.dead_letter_count(),
    )


class _Notifier(threading.Thread):
    """Delivers due notices from the outbox as soon as the pipeline queued some (``wake``),
    and at least once a second for retries; passes repeat while there is a backlog. Deletes
    old delivered notices on start and then every ``PURGE_EVERY_SECONDS``. A full disk
    pauses it (one log line when it starts, one when it ends). ``outbox`` stays open for
    its owner to close."""

    def __init__(self, settings: Settings, stop: threading.Event, outbox: Outbox) -> None:
        super().__init__(name="notifier", daemon=True)
        self.settings = settings
        self.stop = stop
        self.outbox = outbox
        self.wake = threading.Event()
        self._leases_released = False
        self._next_purge = 0.0
        self._disk_full = False

    def run(self) -> None:
        channels = wiring.notification_channels(self.settings)
        while not self.stop.is_set():
            self._pass(self.outbox, channels)
            self.wake.wait(1.0)
            self.wake.clear()
        self._pass(self.outbox, channels)

    def _pass(self, outbox: Outbox, channels: Mapping[str, Channel]) -> None:
        try:
            with disk_full_errors(f"the notice outbox ({outbox.path})", outbox.path):
                self._release_old_leases(outbox)
                self._purge_when_due(outbox)
                while (
                    outbox.deliver_due(channels, limit=NOTICES_PER_PASS).delivered
                    == NOTICES_PER_PASS
                ):
                    pass  # a backlog: go on at once
        except StorageFullError as exc:
            if not self._disk_full:
                logger.warning("notifier paused: %s; retrying every second", exc)
            self._disk_full = True
            return
        except Exception:
            logger.exception("notifier: delivery pass failed; retrying in a second")
            return
        if self._disk_full:
            logger.warning("notifier resumed: the disk has space again")
            self._disk_full = False

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

    def __init__(self, pipeline: Pipeline, totals: PipelineTotals, live: bool) -> None:
        self.pipeline = pipeline
        self.totals = totals
        self.live = live
        self._last = 0.0
        self._every = PROGRESS_EVERY_SECONDS if live else STATUS_LOG_EVERY_SECONDS

    def show(self, report: BatchReport) -> None:
        now = time.monotonic()
        if now - self._last < self._every:
            return
        self._last = now
        depth = self.pipeline.queue.depth()
        t = self.totals
        if self.live:
            sys.stderr.write(
                f"\r{t.mentions:,} mentions ({t.rate:,.0f}/s) · queue {depth:,} · cases "
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

    def finish(self) -> None:
        if self.live:
            sys.stderr.write("\n")
