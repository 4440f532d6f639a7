"""The crawl schedule: APScheduler 3.x runs each enabled source on its own interval.

Every scheduled run is a ``kikimimi crawl NAME`` subprocess, because Scrapy's reactor cannot
be restarted inside one process; a crawl that crashes takes only its own process down. One
run at a time per source (``max_instances=1``), late runs collapse into one (``coalesce``)
and are skipped when later than ``scheduler.misfire_grace_seconds``. Job state (next run
times) persists in ``<state_dir>/scheduler/jobs.sqlite``, so a restarted scheduler keeps
each source's rhythm instead of crawling everything at once; with ``queue.backend: redis``
the next run times are also recorded in Redis (:mod:`kikimimi.schedule_times`), so a leader
that takes over on another machine keeps them too.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.interval import IntervalTrigger

from config import Settings, redis_connection, scheduler_jobs_path
from core import RedisError
from kikimimi.crawl_lease import BUSY_EXIT_STATUS
from kikimimi.schedule_times import ScheduleTimes

if TYPE_CHECKING:
    from crawlers import CrawlRun

__all__ = ["CrawlScheduler", "crawl_in_subprocess", "job_id"]

logger = logging.getLogger(__name__)

GRACE_AFTER_CRAWL_TIMEOUT_SECONDS = 60


JOB_PREFIX = "crawl:"


def job_id(source_name: str) -> str:
    return f"{JOB_PREFIX}{source_name}"


def source_of(job_id: str) -> str:
    return job_id.removeprefix(JOB_PREFIX)


def crawl_in_subprocess(config_file: str, source_name: str, timeout_seconds: float) -> int:
    """Run ``kikimimi crawl SOURCE`` in a fresh process; returns its exit status."""
    command = [
        *(sys.executable, "-m", "kikimimi", "--config", config_file),
        *("crawl", source_name, "--json"),
    ]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_seconds, check=False
        )
    except subprocess.TimeoutExpired:
        logger.error("crawl of %s exceeded %.0f s and was stopped", source_name, timeout_seconds)
        return -1
    if finished.returncode == BUSY_EXIT_STATUS:  # another crawl of the source runs now
        said = finished.stderr.strip().splitlines()
        logger.warning("%s; next try at its next interval", said[-1] if said else source_name)
        return finished.returncode
    run = _reported_run(finished.stdout)
    summary = run.summary() if run else f"{source_name}: (no summary)"
    if finished.returncode != 0:
        tail = finished.stderr.strip().splitlines()[-3:]
        logger.warning("%s (exit %d) %s", summary, finished.returncode, " | ".join(tail))
    elif run is not None and run.malformed:
        logger.warning(
            "%s — %d malformed item(s) skipped (kikimimi sources status)", summary, run.malformed
        )
    else:
        logger.info("%s", summary)
    return finished.returncode


def _reported_run(stdout: str) -> CrawlRun | None:
    """The run that ``kikimimi crawl --json`` printed as its last line, if it printed one."""
    from crawlers import CrawlRun  # noqa: PLC0415 - Scrapy stays out of this process

    lines = stdout.strip().splitlines()
    try:
        return CrawlRun(**json.loads(lines[-1])) if lines else None
    except (ValueError, TypeError):
        return None


class _StoppableScheduler(BackgroundScheduler):  # type: ignore[misc]
    """APScheduler's background scheduler, but a look for due jobs never overlaps a shutdown.

    APScheduler 3.11 checks only for a pause before a pass over the due jobs, and its
    ``shutdown`` sets the state to stopped before waiting for running jobs: a pass that comes
    due meanwhile runs afterwards, submits to the closed executor (a traceback per due job)
    and moves each job's next run on, so a run due at the stop is skipped after the restart.
    Each pass here holds the job stores' lock, which ``shutdown`` takes too, and finds the
    state under it: a pass comes wholly before a shutdown (its runs are waited for) or does
    nothing after it."""

    def _process_jobs(self) -> float | None:
        with self._jobstores_lock:
            if self.state == STATE_STOPPED:
                return None
            return cast("float | None", super()._process_jobs())


class CrawlScheduler:
    """Keeps one interval job per enabled source in a persistent job store and runs them."""

    def __init__(self, settings: Settings, config_file: Path) -> None:
        self.settings = settings
        self.config_file = config_file.resolve()
        self.shared_times = (
            ScheduleTimes(redis_connection(settings), settings.redis.key_prefix)
            if settings.queue.backend == "redis"
            else None
        )
        # "skipped: maximum number of running instances reached" is the design, not news.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        store = scheduler_jobs_path(settings)
        store.parent.mkdir(parents=True, exist_ok=True)
        self.scheduler = _StoppableScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{store}")},
            executors={"default": ThreadPoolExecutor(settings.scheduler.max_parallel_crawls)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": settings.scheduler.misfire_grace_seconds,
            },
            timezone=UTC,
        )

    def start(self) -> list[str]:
        """Start running; returns the names of the scheduled sources. With shared times,
        Redis must answer here (a leader holds its lease there)."""
        self.scheduler.start(paused=True)
        names = self._sync_jobs(self.shared_times.load() if self.shared_times else {})
        if self.shared_times is not None:
            self.scheduler.add_listener(
                self._record_next_run, EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES
            )
        self.scheduler.resume()
        return names

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling; with ``wait``, let running crawls finish first."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if self.shared_times is not None:
            self.shared_times.close()

    def _sync_jobs(self, shared: dict[str, datetime]) -> list[str]:
        wanted = [s for s in self.settings.sources if s.enabled]
        timeout = self.settings.crawl.crawl_timeout_seconds + GRACE_AFTER_CRAWL_TIMEOUT_SECONDS
        for job in self.scheduler.get_jobs():
            if job.id not in {job_id(s.name) for s in wanted}:
                job.remove()
        now = datetime.now(UTC)
        for source in wanted:
            args: Sequence[object] = (str(self.config_file), source.name, timeout)
            existing = self.scheduler.get_job(job_id(source.name))
            interval = timedelta(seconds=source.interval_seconds)
            # the time another leader recorded, if any, but never more than an interval away
            recorded = min(shared[source.name], now + interval) if source.name in shared else None
            if (
                existing is not None
                and tuple(existing.args) == tuple(args)
                and isinstance(existing.trigger, IntervalTrigger)
                and existing.trigger.interval == interval
            ):
                if recorded is not None and recorded != existing.next_run_time:
                    existing.modify(next_run_time=recorded)
                continue  # unchanged: keep its persisted (or recorded) next run time
            self.scheduler.add_job(
                crawl_in_subprocess,
                IntervalTrigger(seconds=interval.total_seconds(), timezone=UTC),
                args=list(args),
                id=job_id(source.name),
                name=f"crawl {source.name}",
                replace_existing=True,
                next_run_time=recorded or now,
            )
        return [s.name for s in wanted]

    def _record_next_run(self, event: JobSubmissionEvent) -> None:
        """Record in Redis when a source whose run just came up runs next (APScheduler has
        set it by now). A failure is a warning: the next run records again."""
        job = self.scheduler.get_job(event.job_id)
        if job is None or job.next_run_time is None or self.shared_times is None:
            return
        try:
            self.shared_times.record(source_of(job.id), job.next_run_time)
        except RedisError as exc:
            logger.warning("%s", exc)
