"""``scrapy check`` contracts that read the bundled sample responses in ``crawlers/fixtures``.

``@fixture hackernews/search_by_date.json`` makes the contract request a ``file://`` URL of
that sample, so contracts run offline against each source's real format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.contracts import Contract

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class FixtureContract(Contract):
    """``@fixture RELATIVE_PATH``: fetch a bundled sample response instead of the network."""

    name = "fixture"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        path = (FIXTURES / self.args[0]).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no fixture {path}")
        args["url"] = path.as_uri()
        return args
