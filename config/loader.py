"""Load ``config/*.yaml`` into :class:`~config.settings.Settings`.

Secrets are written ``{"$env": "NAME"}`` and read from the environment at load time.
Every problem becomes a :class:`~core.errors.ConfigError` naming the file, the field
path (``elasticsearch.local.port``, ``brands[0].name``), the line and the bad value.
Relative paths in the file are resolved against the file's directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ValidationError

from config.notifications import NOTIFICATION_TYPES
from config.settings import Settings
from config.sources import SOURCE_TYPES
from core import ConfigError, ConfigProblem

__all__ = ["DEFAULT_CONFIG", "config_path", "load_settings"]

DEFAULT_CONFIG = Path("config/kikimimi.yaml")
ENV_KEY = "$env"
SECRET_FIELDS = frozenset(
    {
        "api_key",
        "api_token",
        "app_password",
        "client_id",
        "client_secret",
        "key",
        "password",
        "secret",
        "token",
        "url",  # a Slack incoming-webhook URL is its credential
    }
)
Path_ = tuple[str | int, ...]
CHOSEN_TYPES = frozenset(SOURCE_TYPES) | frozenset(NOTIFICATION_TYPES)


def config_path(explicit: Path | None = None) -> Path:
    """The file to load: ``explicit``, else $KIKIMIMI_CONFIG, else ``config/kikimimi.yaml``."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("KIKIMIMI_CONFIG")
    return Path(from_env) if from_env else DEFAULT_CONFIG


def load_settings(path: Path | None = None) -> Settings:
    """Read, resolve secrets in, and validate one configuration file."""
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(file, [ConfigProblem("", "file not found", str(file))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(file, [ConfigProblem("", f"cannot read file: {exc}", str(file))]) from exc
    raw, lines = _parse_yaml(file, text)
    resolved, from_env, problems = _resolve_env(raw, ())
    if problems:
        raise ConfigError(file, [_with_line(p, lines) for p in problems])
    try:
        settings = Settings.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(
            file, [_problem_from(error, from_env, lines) for error in exc.errors()]
        ) from exc
    return _resolve_paths(settings, file.parent.resolve())


def _parse_yaml(file: Path, text: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        source_lines = text.splitlines()
        snippet = (
            source_lines[line - 1].strip()
            if line and line <= len(source_lines)
            else "<end of file>"
        )
        raise ConfigError(
            file, [ConfigProblem("", f"invalid YAML: {problem}", snippet, line)]
        ) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(
            file, [ConfigProblem("", "the top level must be a mapping of settings", data, 1)]
        )
    lines: dict[str, int] = {}
    _collect_lines(node, (), lines)
    return data, lines


def _collect_lines(node: yaml.Node | None, path: Path_, lines: dict[str, int]) -> None:
    if node is None:
        return
    lines[_dotted(path)] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _collect_lines(value, (*path, key.value), lines)
            lines[_dotted((*path, key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def _resolve_env(value: Any, path: Path_) -> tuple[Any, dict[str, str], list[ConfigProblem]]:
    """Replace ``{"$env": NAME}`` by the variable's value; collect the unset ones."""
    if isinstance(value, Mapping) and ENV_KEY in value:
        name = value[ENV_KEY]
        if len(value) != 1 or not isinstance(name, str) or not name:
            problem = ConfigProblem(
                _dotted(path), 'a secret must be written {"$env": "VARIABLE_NAME"}', dict(value)
            )
            return None, {}, [problem]
        if name not in os.environ:
            problem = ConfigProblem(
                _dotted(path), f"environment variable {name} is not set", {ENV_KEY: name}
            )
            return None, {}, [problem]
        return os.environ[name], {_dotted(path): name}, []
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        env: dict[str, str] = {}
        problems: list[ConfigProblem] = []
        for key, item in value.items():
            out[key], item_env, item_problems = _resolve_env(item, (*path, str(key)))
            env.update(item_env)
            problems.extend(item_problems)
        return out, env, problems
    if isinstance(value, list):
        items: list[Any] = []
        env = {}
        problems = []
        for index, item in enumerate(value):
            resolved, item_env, item_problems = _resolve_env(item, (*path, index))
            items.append(resolved)
            env.update(item_env)
            problems.extend(item_problems)
        return items, env, problems
    return value, {}, []


def _problem_from(
    error: Mapping[str, Any], from_env: Mapping[str, str], lines: Mapping[str, int]
) -> ConfigProblem:
    loc: Path_ = tuple(error["loc"])
    field = _dotted(loc)
    message = str(error["msg"])
    value = error.get("input")
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("discriminator", "'type'").strip("'")
        field = f"{field}.{tag}"
        value = value.get(tag) if isinstance(value, Mapping) else value
        expected = error.get("ctx", {}).get("expected_tags", "")
        message = f"must be one of {expected}" if expected else "missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown setting"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if field in from_env:
        name = from_env[field]
        shown = "***" if loc and loc[-1] in SECRET_FIELDS else value
        value = {ENV_KEY: name, "value": shown}
    elif loc and loc[-1] in SECRET_FIELDS:
        value = "***"
    return _with_line(ConfigProblem(field, message, value), lines)


def _with_line(problem: ConfigProblem, lines: Mapping[str, int]) -> ConfigProblem:
    field = problem.field
    while field and field not in lines:
        field = field.rpartition(".")[0] if "." in field else ""
    line = lines.get(field) if field else None
    return ConfigProblem(problem.field, problem.message, problem.value, line or problem.line)


def _dotted(path: Path_) -> str:
    text = ""
    for index, part in enumerate(path):
        if index and isinstance(path[index - 1], int) and part in CHOSEN_TYPES:
            continue  # pydantic names the chosen source type in the path; the file does not
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    """Make every relative path setting absolute, relative to the config file's directory."""

    def fix(model: BaseModel) -> BaseModel:
        updates: dict[str, Any] = {}
        for name, value in model:
            if isinstance(value, Path) and not value.is_absolute():
                updates[name] = (base / value).resolve()
            elif isinstance(value, BaseModel):
                updates[name] = fix(value)
            elif isinstance(value, list) and any(isinstance(v, BaseModel) for v in value):
                updates[name] = [fix(v) if isinstance(v, BaseModel) else v for v in value]
        return model.model_copy(update=updates) if updates else model

    return cast(Settings, fix(settings))
