"""Every state path follows from ``state_dir`` (the local node's from its own setting too)."""

from __future__ import annotations

from pathlib import Path

from config import (
    Settings,
    crawl_state_path,
    dead_letters_path,
    demo_dir,
    embedding_cache_path,
    indexer_spool_dir,
    local_node_dir,
    outbox_path,
    queue_path,
    scheduler_jobs_path,
    spike_state_path,
)


def test_state_paths_live_under_the_state_dir(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    assert {
        path.relative_to(tmp_path).as_posix()
        for path in (
            queue_path(settings),
            crawl_state_path(settings),
            scheduler_jobs_path(settings),
            local_node_dir(settings),
            indexer_spool_dir(settings),
            dead_letters_path(settings),
            outbox_path(settings),
            spike_state_path(settings),
            demo_dir(settings),
            embedding_cache_path(settings),
        )
    } == {
        "queue/mentions.sqlite",
        "crawl/state.sqlite",
        "scheduler/jobs.sqlite",
        "elasticsearch",
        "indexer/spool",
        "indexer/dead-letters.jsonl",
        "alerts/outbox.sqlite",
        "alerts/spikes.json",
        "demo",
        "nlp/embeddings.sqlite",
    }


def test_the_local_node_directory_can_be_set(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"state_dir": str(tmp_path), "elasticsearch": {"local": {"directory": "/srv/es"}}}
    )
    assert local_node_dir(settings) == Path("/srv/es")
