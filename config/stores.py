"""The shared stores the settings choose, opened in one place: the mention queue (a SQLite
file in the state directory, or a Redis stream) and the Redis client behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.paths import queue_path
from core import MentionQueue, RedisMentionQueue, SqliteMentionQueue, redis_client

if TYPE_CHECKING:
    from redis import Redis

    from config.settings import Settings

__all__ = ["mention_queue", "redis_connection"]


def mention_queue(settings: Settings) -> MentionQueue:
    """The queue between the crawlers and the pipeline (``queue.backend``); nothing
    connects to Redis before the first command."""
    queue = settings.queue
    if queue.backend == "redis":
        return RedisMentionQueue(
            redis_connection(settings), settings.redis.key_prefix, queue.max_deliveries
        )
    return SqliteMentionQueue(queue_path(settings), max_deliveries=queue.max_deliveries)


def redis_connection(settings: Settings, *, quick_seconds: float | None = None) -> Redis:
    """A client for the configured Redis (``redis``), credentials apart from the URL. With
    ``quick_seconds``, one that answers or fails within that (at most
    ``redis.timeout_seconds``), without retries: for a lease's keeper."""
    redis = settings.redis
    timeout = redis.timeout_seconds
    return redis_client(
        str(redis.url),
        username=redis.username,
        password=redis.password.get_secret_value() if redis.password is not None else None,
        ca_certs=redis.ca_certs,
        timeout_seconds=timeout if quick_seconds is None else min(timeout, quick_seconds),
        retries=None if quick_seconds is None else 0,
    )
