"""Every setting is documented in docs/configuration.md."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from config.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def setting_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        for inner in _models_in(field.annotation):
            is_list = typing.get_origin(field.annotation) is list
            yield from setting_paths(inner, f"{path}[]." if is_list else f"{path}.")


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [path for path in setting_paths(Settings) if f"`{path}`" not in text]
    assert missing == [], f"undocumented settings in {DOC.name}: {missing}"


def test_the_walk_finds_nested_settings() -> None:
    paths = set(setting_paths(Settings))
    assert {"elasticsearch.local.port", "brands[].aliases", "rules[].notify"} <= paths
