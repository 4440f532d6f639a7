"""Files and folders the settings point at, checked by ``kikimimi config check``.

Loading settings never looks at the disk (a run reports a missing import folder on that
source's crawl and goes on with the others); ``config check`` does, so that a path the run
would trip on is found before it runs. A folder that exists but is empty is fine: exports
may arrive later.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from config.problems import FieldPath, FieldProblem
from config.sources import ImportSource

if TYPE_CHECKING:
    from config.settings import Settings

__all__ = ["missing_files"]


def missing_files(settings: Settings) -> list[FieldProblem]:
    """A problem for each configured path that does not exist (disabled sources aside)."""
    wanted: list[tuple[FieldPath, Path | None]] = [
        (("elasticsearch", "ca_certs"), settings.elasticsearch.ca_certs),
        (("elasticsearch", "local", "java_home"), settings.elasticsearch.local.java_home),
        (("kibana", "ca_certs"), settings.kibana.ca_certs),
        (("nlp", "model"), settings.nlp.model),
        (("redis", "ca_certs"), settings.redis.ca_certs),
    ]
    wanted += [
        (("sources", index, "path"), source.path)
        for index, source in enumerate(settings.sources)
        if isinstance(source, ImportSource) and source.enabled
    ]
    return [
        FieldProblem(path, f"does not exist ({file})")
        for path, file in wanted
        if file is not None and not file.exists()
    ]
