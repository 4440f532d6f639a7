"""Shared helper of the config tests: the message of the error a config file raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from core.errors import ConfigError


def error(path: Path) -> str:
    """The ``ConfigError`` message that loading ``path`` raises (fails if none is raised)."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)
