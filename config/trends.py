"""Settings of the trends' emerging themes (``/api/v1/trends/emerging``): how often
``kikimimi run`` embeds new posts ahead of the page, how many posts one request may embed
itself, and how many embeddings are kept.

Every field is documented in ``docs/configuration.md`` (section *Trends*).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MIN_EMBEDDING_CACHE_SIZE", "TrendsSettings"]

MIN_EMBEDDING_CACHE_SIZE = 10_000
"""Room for both periods of the largest emerging-themes request (2 × 5,000 posts)."""


class TrendsSettings(BaseModel):
    """The emerging themes' embeddings: ahead of time, per request, kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    emerging_refresh_minutes: Annotated[float, Field(ge=0, le=1440)] = 5.0
    emerging_embed_per_request: Annotated[int, Field(ge=0, le=5_000)] = 100
    emerging_cache_size: Annotated[int, Field(ge=MIN_EMBEDDING_CACHE_SIZE, le=10_000_000)] = 50_000
