"""The one exception tree of Kikimimi.

    KikimimiError
    ├── ConfigError                 bad configuration: file, field path, bad value
    ├── RecordError                 a record (Mention, Case, ...) failed validation
    ├── ElasticsearchNodeError      managing the local Elasticsearch node
    │   ├── DownloadError           fetching the distribution failed
    │   ├── ChecksumMismatchError   the download does not match its pinned checksum
    │   ├── JavaNotFoundError       no suitable JDK could be found
    │   └── NodeStartError          the node exited or did not become healthy in time
    ├── ElasticsearchError          a request to Elasticsearch failed: its operation
    │   ├── ElasticsearchUnavailableError  unreachable, timed out, 429 or 5xx: retryable
    │   └── ElasticsearchRequestError      the cluster refused the request (4xx): its reason
    ├── RedisError                  a request to Redis failed: its operation
    │   └── RedisUnavailableError   unreachable, timed out, loading, read-only or full: retryable
    ├── StateError                  the state directory cannot be used
    │   ├── StateInUseError         another `kikimimi run` holds it (for a role): its PID
    │   └── StorageFullError        its disk is full: what could not be written; retryable
    ├── ModelError                  an NLP model's files are missing, corrupt or incompatible
    ├── CrawlError                  a crawl could not run
    │   └── UnknownSourceError      no configured source has that name
    ├── CaseError                   a case operation cannot be done
    │   ├── CaseNotFoundError       no case has that id
    │   ├── CaseTransitionError     the case's status does not allow it
    │   ├── CaseConflictError       concurrent writers kept changing the case: retryable
    │   ├── CaseHeldError           another user holds the case: take it over explicitly
    │   ├── CaseMergeError          the two cases are not one author's about one brand
    │   └── CaseValueError          a value given to a case operation or query breaks its rule
    ├── AccountError                a user, password, token or sign-in operation failed
    │   ├── UserNotFoundError       no user has that name
    │   ├── UserExistsError         a user of that name exists already
    │   ├── AccountValueError       a user name, role, team or password breaks its rule
    │   ├── TokenNotFoundError      the user has no API token of that id
    │   ├── InvalidCredentialsError wrong user name or password (never says which)
    │   └── LoginThrottledError     too many failed sign-ins: retry after some seconds
    ├── NotifyError                 sending notices (outbox, channels) failed
    │   └── DeliveryError           a channel did not take a notice: retryable or permanent
    └── KibanaError                 Kibana's saved objects: unusable, unreachable or refused

Each error builds its own message from the data it carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class KikimimiError(Exception):
    """Base of every error Kikimimi raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One bad setting: where it is and what is wrong with it.

    ``value`` is shown only when ``show_value`` (never for a secret); a mapping or a list is
    summarised and a long text cut, so no problem dumps a whole file.
    """

    field: str
    message: str
    value: Any = None
    line: int | None = None
    show_value: bool = True

    def render(self, file: Path | str) -> str:
        where = f"{file}:{self.line}" if self.line else str(file)
        field = f" {self.field}:" if self.field else ""
        got = f" (got {_summary(self.value)})" if self.show_value else ""
        return f"{where}:{field} {self.message}{got}"


def _summary(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"a mapping with keys {', '.join(map(str, value))}" if value else "{}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}" if value else "[]"
    if isinstance(value, str) and len(value) > 100:
        return f"{value[:60]!r}... ({len(value)} characters)"
    return repr(value)


class ConfigError(KikimimiError):
    """A configuration file is unreadable or holds bad settings."""

    def __init__(self, file: Path | str, problems: Sequence[ConfigProblem]) -> None:
        self.file = Path(file)
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(self.file) for p in self.problems))


class RecordError(KikimimiError):
    """A record failed validation; ``field`` is the dotted path of the first bad field."""

    def __init__(self, record_type: str, field: str, message: str, value: Any = None) -> None:
        self.record_type = record_type
        self.field = field
        self.value = value
        super().__init__(f"invalid {record_type}: {field}: {message} (got {value!r})")


class ElasticsearchNodeError(KikimimiError):
    """Managing the local single-node Elasticsearch failed."""


class DownloadError(ElasticsearchNodeError):
    """The Elasticsearch distribution could not be downloaded."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"could not download {url}: {reason}")


class ChecksumMismatchError(ElasticsearchNodeError):
    """A downloaded file does not match its pinned checksum."""

    def __init__(self, path: Path, expected: str, actual: str) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"checksum mismatch for {path}: expected sha512 {expected[:16]}..., "
            f"got {actual[:16]}... (the file was removed; retry the download)"
        )


class JavaNotFoundError(ElasticsearchNodeError):
    """No JDK of the version Elasticsearch needs was found."""

    def __init__(self, minimum_major: int, tried: Sequence[str]) -> None:
        self.minimum_major = minimum_major
        self.tried = tuple(tried)
        tried_text = "; ".join(self.tried) or "nothing"
        super().__init__(
            f"Elasticsearch needs Java {minimum_major} or newer; tried {tried_text}. "
            "Set elasticsearch.local.java_home or ES_JAVA_HOME to a suitable JDK."
        )


class NodeStartError(ElasticsearchNodeError):
    """The local node exited early or did not report health in time."""

    def __init__(self, reason: str, log_tail: str = "") -> None:
        self.reason = reason
        self.log_tail = log_tail
        text = (
            reason
            if not log_tail
            else f"{reason}\n--- last lines of the node's log ---\n{log_tail}"
        )
        super().__init__(text)


class ElasticsearchError(KikimimiError):
    """A request to Elasticsearch failed; ``operation`` says what it was for."""

    def __init__(self, operation: str, message: str) -> None:
        self.operation = operation
        super().__init__(f"could not {operation}: {message}")


class ElasticsearchUnavailableError(ElasticsearchError):
    """Elasticsearch could not be reached, timed out or was overloaded (429, 5xx): trying
    again later may work. ``status`` is the HTTP status when there was an answer."""

    def __init__(self, operation: str, cause: str, status: int | None = None) -> None:
        self.cause = cause
        self.status = status
        super().__init__(operation, f"Elasticsearch is unavailable: {cause}")


class ElasticsearchRequestError(ElasticsearchError):
    """Elasticsearch refused the request (a 4xx): sending it again will not help."""

    def __init__(self, operation: str, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(operation, f"Elasticsearch refused it ({status}): {reason}")


class RedisError(KikimimiError):
    """A request to Redis (a shared store: the mention queue) failed; ``operation`` says
    what it was for. The message never holds a credential."""

    def __init__(self, operation: str, message: str) -> None:
        self.operation = operation
        super().__init__(f"could not {operation}: {message}")


class RedisUnavailableError(RedisError):
    """Redis could not be reached, timed out, was loading its data, was a read-only replica
    or out of memory: trying again later may work."""

    def __init__(self, operation: str, cause: str) -> None:
        self.cause = cause
        super().__init__(operation, f"Redis is unavailable: {cause}")


class StateError(KikimimiError):
    """The state directory (``state_dir``) cannot be used as needed."""


class StateInUseError(StateError):
    """Another ``kikimimi run`` holds the state directory (for ``role``, when it says so);
    ``pid`` is None if it is unknown; ``advice`` says what to do instead."""

    def __init__(
        self,
        directory: Path,
        pid: int | None,
        role: str | None = None,
        advice: str = "stop it first, or give this one another state_dir",
    ) -> None:
        self.directory = directory
        self.pid = pid
        self.role = role
        holder = f"pid {pid}" if pid is not None else "pid unknown"
        using = f"runs the {role} on" if role else "is using"
        super().__init__(
            f"another `kikimimi run` ({holder}) {using} the state directory {directory}; {advice}"
        )


class StorageFullError(StateError):
    """A state file could not be written because its disk is full; once there is space,
    trying again works. ``what`` names the file or store."""

    def __init__(self, what: str, cause: str) -> None:
        self.what = what
        self.cause = cause
        super().__init__(f"cannot write {what}: the disk is full ({cause})")


class ModelError(KikimimiError):
    """An NLP model's files are missing, corrupt or do not fit the code that loads them."""


class CrawlError(KikimimiError):
    """A crawl could not be started or its worker failed."""


class UnknownSourceError(CrawlError):
    """No configured source has the name asked for."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        choices = ", ".join(self.known) or "none configured"
        super().__init__(f"no source named {name!r} (configured: {choices})")


class CaseError(KikimimiError):
    """A case operation cannot be done."""


class CaseNotFoundError(CaseError):
    """No case has the id asked for."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"no case {case_id!r}")


class CaseTransitionError(CaseError):
    """The case's status does not allow the operation (e.g. responding to a closed case)."""

    def __init__(self, case_id: str, status: str, operation: str) -> None:
        self.case_id = case_id
        self.status = status
        self.operation = operation
        super().__init__(f"case {case_id} is {status}: cannot {operation} it")


class CaseConflictError(CaseError):
    """Other writers changed the case each time it was about to be written; try again."""

    def __init__(self, case_id: str, attempts: int) -> None:
        self.case_id = case_id
        self.attempts = attempts
        super().__init__(
            f"case {case_id} was changed by someone else during each of {attempts} "
            "attempt(s) to write it; try again"
        )


class CaseHeldError(CaseError):
    """Another user holds the case (it is assigned to them): acting on it needs an explicit
    take-over."""

    def __init__(self, case_id: str, holder: str) -> None:
        self.case_id = case_id
        self.holder = holder
        super().__init__(f"case {case_id} is held by {holder}: take it over to act on it")


class CaseMergeError(CaseError):
    """Two cases cannot be merged: only one author's cases about one brand can."""

    def __init__(self, source_id: str, target_id: str, reason: str) -> None:
        self.source_id = source_id
        self.target_id = target_id
        self.reason = reason
        super().__init__(f"cannot merge case {source_id} into case {target_id}: {reason}")


class CaseValueError(CaseError):
    """A value given to a case operation or query breaks its rule; ``field`` names it."""

    def __init__(self, field: str, rule: str, value: Any = None) -> None:
        self.field = field
        self.rule = rule
        self.value = value
        shown = "" if value is None else f" (got {value!r})"
        super().__init__(f"{field}: {rule}{shown}")


class AccountError(KikimimiError):
    """A user, password, API token or sign-in operation cannot be done."""


class UserNotFoundError(AccountError):
    """No user has the name asked for."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no user named {name!r}")


class UserExistsError(AccountError):
    """A user of that name exists already."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"a user named {name!r} exists already")


class AccountValueError(AccountError):
    """A user name, role, team name or password breaks its rule. ``value`` is shown when
    given; a password is never given."""

    def __init__(self, field: str, rule: str, value: str | None = None) -> None:
        self.field = field
        self.rule = rule
        self.value = value
        shown = "" if value is None else f" (got {value!r})"
        super().__init__(f"{field}: {rule}{shown}")


class TokenNotFoundError(AccountError):
    """The user has no API token of that id (never issued, revoked, or someone else's)."""

    def __init__(self, user_name: str, token_id: str) -> None:
        self.user_name = user_name
        self.token_id = token_id
        super().__init__(f"user {user_name!r} has no token {token_id!r}")


class InvalidCredentialsError(AccountError):
    """The user name or the password is wrong, or the user is disabled: the message never
    says which, so it cannot be used to find out who has an account."""

    def __init__(self) -> None:
        super().__init__("wrong user name or password")


class LoginThrottledError(AccountError):
    """Too many failed sign-ins for this user name or from this client: refused without
    checking the password for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed sign-ins: try again in {retry_after} s")


class NotifyError(KikimimiError):
    """Sending notices failed: the outbox or a notification channel."""


class DeliveryError(NotifyError):
    """A channel did not take a notice.

    ``retryable`` errors (connection problems, timeouts, 408, 429, 5xx) are tried again later,
    no sooner than ``retry_after`` seconds when the channel said so; the others are permanent.
    ``reason`` never holds a secret: channels redact it.
    """

    def __init__(
        self,
        retryable: bool,
        reason: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        channel: str | None = None,
    ) -> None:
        self.retryable = retryable
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.channel = channel
        where = f"channel {channel!r}: " if channel else ""
        kind = "will retry" if retryable else "permanent"
        super().__init__(f"{where}{reason} ({kind})")


class KibanaError(KikimimiError):
    """Kibana's saved objects could not be used, Kibana could not be reached, or it refused
    the request; ``status`` is its HTTP status when it answered. The message never holds a
    credential."""

    def __init__(self, operation: str, message: str, status: int | None = None) -> None:
        self.operation = operation
        self.status = status
        super().__init__(f"could not {operation}: {message}")
