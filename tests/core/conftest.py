"""The mention queue's backends, so that one behavioural test runs against each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.mention_queue import MAX_DELIVERIES, MentionQueue, SqliteMentionQueue
from core.redis_boundary import redis_client
from core.redis_mention_queue import RedisMentionQueue


@dataclass
class QueueBackend:
    """Opens handles on one queue of one backend (each handle as another process would)."""

    name: str
    path: Path
    redis_url: str = ""
    redis_prefix: str = ""
    opened: list[MentionQueue] = field(default_factory=list)

    def open(self, max_deliveries: int = MAX_DELIVERIES) -> MentionQueue:
        queue: MentionQueue
        if self.name == "redis":
            client = redis_client(self.redis_url)
            queue = RedisMentionQueue(client, self.redis_prefix, max_deliveries)
        else:
            queue = SqliteMentionQueue(self.path, max_deliveries=max_deliveries)
        self.opened.append(queue)
        return queue

    @property
    def opening_code(self) -> str:
        """Python that opens the same queue as ``queue`` in another process."""
        if self.name == "redis":
            return (
                "from core.redis_boundary import redis_client\n"
                "from core.redis_mention_queue import RedisMentionQueue\n"
                f"queue = RedisMentionQueue(redis_client({self.redis_url!r}), "
                f"{self.redis_prefix!r})\n"
            )
        return (
            "from pathlib import Path\n"
            "from core.mention_queue import SqliteMentionQueue\n"
            f"queue = SqliteMentionQueue(Path({str(self.path)!r}))\n"
        )


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueueBackend]:
    """The SQLite file, then a stream on the session's real Redis."""
    chosen = QueueBackend(request.param, tmp_path / "q.sqlite")
    if request.param == "redis":
        chosen.redis_url = request.getfixturevalue("redis_server").url
        chosen.redis_prefix = request.getfixturevalue("redis_prefix")
    yield chosen
    for queue in chosen.opened:
        queue.close()
