"""``kikimimi run``: the scheduler, the pipeline and the notifier in one process tree.

- the crawl scheduler (:mod:`kikimimi.scheduling`) starts one ``kikimimi crawl`` process
  per due source; crawlers fill the durable queue;
- the pipeline (:mod:`kikimimi.pipeline`) takes batches from the queue through NLP, rules,
  indexing and cases, and stores notices in the outbox;
- a notifier thread delivers due notices from the outbox, with retries, and deletes the
  delivered ones older than ``alerting.keep_delivered_days`` (on start, then hourly).

SIGINT/SIGTERM stop it gracefully: no new batch starts, the current one finishes, running
crawls finish, and the notifier makes one last delivery pass. Anything interrupted harder
(``kill -9``) is picked up on the next start, because every stage is idempotent.
"""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from config import Settings
from kikimimi import wiring
from kikimimi.pipeline import BatchReport, Pipeline, PipelineTotals

if TYPE_CHECKING:
    from alerts import Channel, Outbox

__all__ = ["RunOptions", "run_main_job"]

logger = logging.getLogger(__name__)

ES_RETRY_SECONDS = 5.0
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
) -> PipelineTotals:
    """Run until stopped (signal, ``duration_seconds``, or an idle queue with
    ``until_idle``); returns the totals."""
    from kikimimi.scheduling import CrawlScheduler  # noqa: PLC0415 - loads with the job only

    stop = _StopFlag()
    if threading.current_thread() is threading.main_thread():
        stop.install()
    client = wiring.prepare_elasticsearch(settings, say)
    say("loading the NLP models")
    pipeline = wiring.pipeline(settings, client)
    notifier = _Notifier(settings, stop.event)
    scheduler = CrawlScheduler(settings, config_file) if options.schedule else None
    totals = PipelineTotals()
    deadline = (
        None if options.duration_seconds is None else time.monotonic() + options.duration_seconds
    )
    notifier.start()
    if scheduler is not None:
        names = scheduler.start()
        say(f"scheduling {len(names)} source(s): {', '.join(names) or 'none enabled'}")
    progress = _Progress(pipeline, totals, options.live_progress)
    try:
        while not stop.event.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            if options.stop_when is not None and options.stop_when():
                break
            report = pipeline.step(options.batch_size)
            if report is None:
                totals.errors += 1
                stop.event.wait(ES_RETRY_SECONDS)
                continue
            totals.add(report)
            if report.notices or report.spikes:
                notifier.wake.set()
            progress.show(report)
            if report.mentions == 0:
                if options.until_idle and pipeline.queue.depth() == 0:
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
    return totals


class _Notifier(threading.Thread):
    """Delivers due notices from the outbox as soon as the pipeline queued some (``wake``),
    and at least once a second for retries; passes repeat while there is a backlog. Deletes
    old delivered notices on start and then every ``PURGE_EVERY_SECONDS``."""

    def __init__(self, settings: Settings, stop: threading.Event) -> None:
        super().__init__(name="notifier", daemon=True)
        self.settings = settings
        self.stop = stop
        self.wake = threading.Event()

    def run(self) -> None:
        outbox = wiring.outbox(self.settings)
        channels = wiring.notification_channels(self.settings)
        if released := outbox.release_leases():
            logger.warning("%d notice(s) claimed before a crash are sent again", released)
        next_purge = time.monotonic()
        try:
            while not self.stop.is_set():
                if time.monotonic() >= next_purge:
                    self._purge(outbox)
                    next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                self.wake.wait(1.0)
                self.wake.clear()
                self._deliver(outbox, channels)
            self._deliver(outbox, channels)
        finally:
            outbox.close()

    @staticmethod
    def _deliver(outbox: Outbox, channels: Mapping[str, Channel]) -> None:
        try:
            while (
                outbox.deliver_due(channels, limit=NOTICES_PER_PASS).delivered == NOTICES_PER_PASS
            ):
                pass  # a backlog: go on at once
        except Exception:
            logger.exception("notifier: delivery pass failed; retrying in a second")

    def _purge(self, outbox: Outbox) -> None:
        days = self.settings.alerting.keep_delivered_days
        try:
            purged = outbox.purge_delivered(days * SECONDS_PER_DAY)
        except sqlite3.Error:
            logger.exception("notifier: deleting old delivered notices failed; trying again later")
            return
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
                        "es_errors": t.errors,
                    }
                )
            )

    def finish(self) -> None:
        if self.live:
            sys.stderr.write("\n")
