"""The scale-out benchmark's arguments and its summary line."""

from __future__ import annotations

import pytest

from benchmarks.scale_out import parse_args, summary


def test_workers_are_parsed_sorted_and_once() -> None:
    args = parse_args(["--workers", "4, 1,2,1", "--es-url", "http://a:9200/, http://b:9201"])
    assert args.workers == [1, 2, 4]
    assert args.es_urls == ["http://a:9200", "http://b:9201"]
    assert (args.count, args.batch_size, args.skip_sqlite) == (3000, 256, False)


@pytest.mark.parametrize(
    "argv",
    [
        ["--workers", "2,4"],  # no one-worker run to compare with
        ["--workers", "0,1"],
        ["--workers", "1,two"],
        ["--count", "0"],
        ["--heap", "lots"],
    ],
)
def test_bad_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2


def test_summary_gives_the_ratio_to_one_worker_and_the_queues() -> None:
    assert summary(2, {1: 120.0, 2: 150.0, 4: 162.0}, 0.96) == (
        "scale-out on 2 cores: 1 worker 120.0 mentions/s; 2 workers 1.25x, 4 workers 1.35x "
        "(bound min(workers, cores)); redis/sqlite queue (1 worker): 0.96"
    )


def test_summary_with_one_worker_and_no_sqlite_run() -> None:
    assert summary(16, {1: 1234.5}, None) == "scale-out on 16 cores: 1 worker 1,234.5 mentions/s"
