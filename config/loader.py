"""Load ``config/*.yaml`` into :class:`~config.settings.Settings`.

Secrets are written ``{"$env": "NAME"}`` and read from the environment at load time.
Every problem becomes one line of a :class:`~core.errors.ConfigError`, in file order:
``FILE:LINE: field.path: message (got VALUE)``. The value is what the file holds at that
path. It is left out for secrets: settings named in :data:`SECRET_FIELDS`, and every value
read from the environment (the variable is named instead). A mapping or a list is
summarised, never dumped. Relative paths in the file are resolved against its directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from config.files import missing_files
from config.notifications import NOTIFICATION_TYPES
from config.problems import SECRET_FIELDS, FieldPath, FieldProblem, FieldProblemsError, dotted
from config.settings import Settings
from config.sources import SOURCE_TYPES
from config.yaml_file import YamlDocument, read_yaml
from core import ConfigError, ConfigProblem

__all__ = ["DEFAULT_CONFIG", "SECRET_FIELDS", "check_settings", "config_path", "load_settings"]

DEFAULT_CONFIG = Path("config/kikimimi.yaml")
ENV_KEY = "$env"
CHOSEN_TYPES = frozenset(SOURCE_TYPES) | frozenset(NOTIFICATION_TYPES)
DICT_KEY = "[key]"  # pydantic's last path part when a mapping's key is what is wrong
_LAST_PART = re.compile(r"(\.[^.\[]+|\[\d+\])$")


def config_path(explicit: Path | None = None) -> Path:
    """The file to load: ``explicit``, else $KIKIMIMI_CONFIG, else ``config/kikimimi.yaml``."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("KIKIMIMI_CONFIG")
    return Path(from_env) if from_env else DEFAULT_CONFIG


def load_settings(path: Path | None = None) -> Settings:
    """Read, resolve secrets in, and validate one configuration file."""
    return _load(config_path(path))[0]


def check_settings(path: Path | None = None) -> Settings:
    """:func:`load_settings`, and every file and folder the settings name must exist."""
    settings, source = _load(config_path(path))
    problems = missing_files(settings)
    if problems:
        raise ConfigError(source.file, source.problems(problems))
    return settings


def _load(file: Path) -> tuple[Settings, _Source]:
    document = read_yaml(file)
    resolved, from_env, env_problems = _resolve_env(document.data, ())
    source = _Source(file, document, from_env)
    if env_problems:
        raise ConfigError(file, source.problems(env_problems))
    try:
        settings = Settings.model_validate(resolved)
    except ValidationError as exc:  # not chained: its text holds the resolved secrets
        found = [p for error in exc.errors() for p in _field_problems(error, source)]
        raise ConfigError(file, source.problems(found)) from None
    return _resolve_paths(settings, file.parent.resolve()), source


def _resolve_env(value: Any, path: FieldPath) -> tuple[Any, dict[str, str], list[FieldProblem]]:
    """Replace ``{"$env": NAME}`` by the variable's value; collect the unset ones."""
    if isinstance(value, Mapping) and ENV_KEY in value:
        name = value[ENV_KEY]
        if len(value) != 1 or not isinstance(name, str) or not name:
            return None, {}, [FieldProblem(path, 'write a secret {"$env": "VARIABLE_NAME"}')]
        if name not in os.environ:
            return None, {}, [FieldProblem(path, f"environment variable {name} is not set")]
        return os.environ[name], {dotted(path): name}, []
    env: dict[str, str] = {}
    problems: list[FieldProblem] = []

    def resolve(item: Any, item_path: FieldPath) -> Any:
        resolved, item_env, item_problems = _resolve_env(item, item_path)
        env.update(item_env)
        problems.extend(item_problems)
        return resolved

    if isinstance(value, Mapping):
        return {k: resolve(v, (*path, str(k))) for k, v in value.items()}, env, problems
    if isinstance(value, list):
        return [resolve(v, (*path, i)) for i, v in enumerate(value)], env, problems
    return value, env, problems


def _field_problems(error: Mapping[str, Any], source: _Source) -> list[FieldProblem]:
    """One pydantic error as problems at field paths of the file."""
    path = _file_path(error["loc"])
    reported = error.get("ctx", {}).get("error")
    if isinstance(reported, FieldProblemsError):
        return [FieldProblem((*path, *p.path), p.message) for p in reported.problems]
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        context = error.get("ctx", {})
        expected = context.get("expected_tags", "")
        tag = context.get("discriminator", "'type'").strip("'")
        return [FieldProblem((*path, tag), f"must be one of {expected}" if expected else "missing")]
    if path and path[-1] == DICT_KEY:
        return [FieldProblem(path, f"not a valid key: {error['msg']}")]
    return [FieldProblem(path, _message(error, hidden=source.hides(path)))]


def _message(error: Mapping[str, Any], *, hidden: bool) -> str:
    kind, message, context = error["type"], str(error["msg"]), error.get("ctx", {})
    if kind == "extra_forbidden":
        return "unknown setting"
    if kind == "missing":
        return "required, but missing"
    if hidden and "min_length" in context:  # pydantic's message gives the actual length
        return f"must be at least {context['min_length']} characters long"
    if hidden and "max_length" in context:
        return f"must be at most {context['max_length']} characters long"
    return message.removeprefix("Value error, ")


def _file_path(loc: Sequence[str | int]) -> FieldPath:
    """Pydantic's path without the source or channel type it names after a list index."""
    return tuple(
        part
        for index, part in enumerate(loc)
        if not (index and isinstance(loc[index - 1], int) and part in CHOSEN_TYPES)
    )


@dataclass(frozen=True)
class _Source:
    """The file as written: what each field path holds and on which line."""

    file: Path
    document: YamlDocument
    from_env: Mapping[str, str]  # dotted field path -> the variable its value came from

    def problems(self, found: Sequence[FieldProblem]) -> list[ConfigProblem]:
        """Each problem with its line and shown value, in file order."""
        rendered = [self._problem(p) for p in found]
        return sorted(rendered, key=lambda problem: problem.line or 0)

    def hides(self, path: FieldPath) -> bool:
        """Whether the value at ``path`` is a secret, or read from the environment."""
        return self._variable(dotted(path)) is not None or any(
            part in SECRET_FIELDS for part in path if isinstance(part, str)
        )

    def _problem(self, problem: FieldProblem) -> ConfigProblem:
        if problem.path[-1:] == (DICT_KEY,):  # the key is shown: setting names are no secret
            field = dotted(problem.path[:-1])
            return ConfigProblem(field, problem.message, problem.path[-2], self._line(field))
        field = dotted(problem.path)
        line = self._line(field)
        variable = self._variable(field)
        if variable is not None:
            message = f"{problem.message} (the value of environment variable {variable}, not shown)"
            return ConfigProblem(field, message, line=line, show_value=False)
        found, value = _value_at(self.document.data, problem.path)
        shown = found and not self.hides(problem.path) and not _is_env_reference(value)
        return ConfigProblem(field, problem.message, value if shown else None, line, shown)

    def _variable(self, field: str) -> str | None:
        for resolved, variable in self.from_env.items():
            if field == resolved or field.startswith((f"{resolved}.", f"{resolved}[")):
                return variable
        return None

    def _line(self, field: str) -> int | None:
        lines = self.document.lines
        while field and field not in lines:
            field = _LAST_PART.sub("", field)
        return lines.get(field) if field else None


def _value_at(data: Any, path: FieldPath) -> tuple[bool, Any]:
    """Whether the file has a value at ``path``, and that value."""
    for part in path:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_list or (isinstance(data, Mapping) and part in data)):
            return False, None
        data = data[part]
    return True, data


def _is_env_reference(value: Any) -> bool:
    return isinstance(value, Mapping) and ENV_KEY in value


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
