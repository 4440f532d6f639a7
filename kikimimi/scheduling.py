"""The crawl schedule: APScheduler 3.x runs each enabled source on its own interval.

Every scheduled run is a ``kikimimi crawl NAME`` subprocess, because Scrapy's reactor cannot
be restarted inside one process; a crawl that crashes takes only its own process down. One
run at a time per source (``max_instances=1``), late runs collapse into one (``coalesce``)
and are skipped when later than ``scheduler.misfire_grace_seconds``. Job state (next run
times) persists in ``<state_dir>/scheduler/jobs.sqlite``, so a restarted scheduler keeps
each source's rhythm instead of crawling everything at once.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from config import Settings, scheduler_jobs_path
from kikimimi.crawl_lease import BUSY_EXIT_STATUS

if TYPE_CHECKING:
    from crawlers import CrawlRun

__all__ = ["CrawlScheduler", "crawl_in_subprocess", "job_id"]

logger = logging.getLogger(__name__)

GRACE_AFTER_CRAWL_TIMEOUT_SECONDS = 60


def job_id(source_name: str) -> str:
    return f"crawl:{source_name}"


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


class CrawlScheduler:
    """Keeps one interval job per enabled source in a persistent job store and runs them."""

    def __init__(self, settings: Settings, config_file: Path) -> None:
        self.settings = settings
        self.config_file = config_file.resolve()
        # "skipped: maximum number of running instances reached" is the design, not news.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        store = scheduler_jobs_path(settings)
        store.parent.mkdir(parents=True, exist_ok=True)
        self.scheduler = BackgroundScheduler(
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
        """Start running; returns the names of the scheduled sources."""
        self.scheduler.start(paused=True)
        names = self._sync_jobs()
        self.scheduler.resume()
        return names

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling; with ``wait``, let running crawls finish first."""
        if self.scheduler.running:
            self.scheduler.pause()  # no job is submitted while the executor shuts down
            self.scheduler.shutdown(wait=wait)

    def _sync_jobs(self) -> list[str]:
        wanted = [s for s in self.settings.sources if s.enabled]
        timeout = self.settings.crawl.crawl_timeout_seconds + GRACE_AFTER_CRAWL_TIMEOUT_SECONDS
        for job in self.scheduler.get_jobs():
            if job.id not in {job_id(s.name) for s in wanted}:
                job.remove()
        for source in wanted:
            args: Sequence[object] = (str(self.config_file), source.name, timeout)
            existing = self.scheduler.get_job(job_id(source.name))
            interval = float(source.interval_seconds)
            if (
                existing is not None
                and tuple(existing.args) == tuple(args)
                and isinstance(existing.trigger, IntervalTrigger)
                and existing.trigger.interval.total_seconds() == interval
            ):
                continue  # unchanged: keep its persisted next run time
            self.scheduler.add_job(
                crawl_in_subprocess,
                IntervalTrigger(seconds=interval, timezone=UTC),
                args=list(args),
                id=job_id(source.name),
                name=f"crawl {source.name}",
                replace_existing=True,
                next_run_time=datetime.now(UTC),
            )
        return [s.name for s in wanted]
