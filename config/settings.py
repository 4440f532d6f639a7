"""Typed settings, loaded from the YAML files in ``config/`` by :mod:`config.loader`.

Every field here is documented in ``docs/configuration.md``; a test fails when one is not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import (
    AliasChoices,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.backends import CrawlStateSettings, OutboxSettings, QueueSettings, RedisSettings
from config.digests import DigestSettings
from config.kibana import KibanaSettings
from config.notifications import NotificationChannelSettings
from config.problems import FieldProblem, FieldProblemsError, check_credentials, repeated
from config.references import brand_conflicts, digest_problems, unknown_references
from config.rules import AlertingSettings, RuleSettings
from config.sources import CrawlSettings, SchedulerSettings, SourceSettings
from config.trends import TrendsSettings
from config.web import WebSettings
from core import fold

LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
PositiveSeconds = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(gt=0, lt=1)]
ModelLabel = Literal["negative", "neutral", "positive", "complaint"]


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Named = TypeVar("Named", bound=_Named)


class StrictModel(BaseModel):
    """Base for settings: unknown keys are errors, values are validated strictly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BrandSettings(StrictModel):
    """A brand to listen for (our own or a competitor's)."""

    name: Annotated[str, Field(min_length=1)]
    aliases: list[str] = []
    handles: list[str] = []
    exclusions: list[str] = []
    languages: list[LanguageCode] = ["en", "ja"]

    @property
    def terms(self) -> list[str]:
        """The name and every alias, without duplicates, name first."""
        return list(dict.fromkeys([self.name, *self.aliases]))


class LocalNodeSettings(StrictModel):
    """The local Elasticsearch that ``kikimimi es start`` manages: one node, or a cluster of
    ``nodes`` whose ports count up from ``port`` and ``transport_port``."""

    version: str = "8.19.21"
    sha512: Annotated[str, Field(pattern=r"^[0-9a-f]{128}$")] | None = None
    maven_url: AnyHttpUrl = AnyHttpUrl("https://repo1.maven.org/maven2")
    port: Annotated[int, Field(ge=1024, le=65535)] = 9200
    transport_port: Annotated[int, Field(ge=1024, le=65535)] = 9300
    heap: Annotated[str, Field(pattern=r"^[0-9]+[mg]$")] = "512m"
    jvm_options: list[Annotated[str, Field(pattern=r"^-\S+$")]] = []
    java_home: Path | None = None
    directory: Path | None = None
    run_as_user: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_-]*$")] = "kikimimi-es"
    startup_timeout_seconds: PositiveSeconds = 180.0
    nodes: Annotated[int, Field(ge=1, le=9)] = 1

    @field_validator("jvm_options")
    @classmethod
    def _no_heap_option(cls, options: list[str]) -> list[str]:
        for option in options:
            if option.startswith(("-Xms", "-Xmx")):
                raise ValueError(f"{option!r} sets the heap, which is the heap setting's job")
        return options

    @model_validator(mode="after")
    def _ports_fit(self) -> LocalNodeSettings:
        http = range(self.port, self.port + self.nodes)
        transport = range(self.transport_port, self.transport_port + self.nodes)
        problems = [
            FieldProblem((name,), f"{self.nodes} node(s) need ports up to {ports[-1]} (> 65535)")
            for name, ports in (("port", http), ("transport_port", transport))
            if ports[-1] > 65535
        ]
        if set(http) & set(transport):
            problems.append(
                FieldProblem(
                    ("transport_port",),
                    f"the transport ports {_span(transport)} overlap the HTTP ports {_span(http)}",
                )
            )
        if problems:
            raise FieldProblemsError(problems)
        return self


def _span(ports: range) -> str:
    return str(ports[0]) if len(ports) == 1 else f"{ports[0]}-{ports[-1]}"


class ElasticsearchSettings(StrictModel):
    """How to reach Elasticsearch: the local node by default, or an external cluster."""

    hosts: Annotated[list[AnyHttpUrl], Field(min_length=1)] = [AnyHttpUrl("http://127.0.0.1:9200")]
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    request_timeout_seconds: PositiveSeconds = 30.0
    index_prefix: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] = "kikimimi"
    replicas: Annotated[int, Field(ge=0, le=5)] = 0
    local: LocalNodeSettings = LocalNodeSettings()

    @model_validator(mode="after")
    def _auth_is_consistent(self) -> ElasticsearchSettings:
        check_credentials(self.username, self.password, self.api_key)
        return self


class IndexerSettings(StrictModel):
    """Bulk-indexing behaviour: batch bounds, retries, spool and dead letters."""

    batch_size: Annotated[int, Field(ge=1, le=50_000)] = 1000
    batch_bytes: Annotated[int, Field(ge=1024)] = 5_000_000
    max_retries: Annotated[int, Field(ge=0, le=20)] = 4
    initial_backoff_seconds: Annotated[float, Field(ge=0)] = 0.5
    max_backoff_seconds: Annotated[float, Field(ge=0)] = 30.0


class TopicSettings(StrictModel):
    """One topic of the taxonomy: keywords per language and a description for similarity."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    description: Annotated[str, Field(min_length=1)]
    keywords: dict[LanguageCode, list[str]] = {}


DEFAULT_LANGUAGES = ["en", "ja", "fr", "de", "es", "it", "pt", "ar", "hi", "ko", "zh"]


class NlpSettings(StrictModel):
    """The NLP stage: the model and its decisions, languages to detect, the topic taxonomy."""

    languages: Annotated[list[LanguageCode], Field(min_length=1)] = DEFAULT_LANGUAGES
    backend: Literal["auto", "onnx", "torch"] = "auto"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    model: Annotated[Path | None, Field(validation_alias=AliasChoices("model", "model_dir"))] = None
    labels: dict[str, ModelLabel] = {}
    negative_threshold: Probability | None = None
    complaint_threshold: Probability | None = None
    batch_size: Annotated[int, Field(ge=0, le=1024)] = 0
    threads: Annotated[int, Field(ge=0, le=256)] = 0
    topic_similarity: Annotated[float, Field(gt=0, le=1)] = 0.9
    topics: list[TopicSettings] = []

    @model_validator(mode="before")
    @classmethod
    def _one_model_setting(cls, data: object) -> object:
        if isinstance(data, dict) and "model" in data and "model_dir" in data:
            message = "set nlp.model only (model_dir is its older name)"
            raise FieldProblemsError([FieldProblem(("model_dir",), message)])
        return data

    @field_validator("topics")
    @classmethod
    def _topic_names_are_unique(cls, topics: list[TopicSettings]) -> list[TopicSettings]:
        problems = repeated(topics, lambda topic: topic.name, ("nlp", "topics"))
        if problems:
            raise FieldProblemsError(problems)
        return topics


class Settings(StrictModel):
    """The whole configuration."""

    state_dir: Path = Path("var")
    brands: list[BrandSettings] = []
    competitors: list[BrandSettings] = []
    sources: list[SourceSettings] = []
    crawl: CrawlSettings = CrawlSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    queue: QueueSettings = QueueSettings()
    outbox: OutboxSettings = OutboxSettings()
    crawl_state: CrawlStateSettings = CrawlStateSettings()
    redis: RedisSettings = RedisSettings()
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    indexer: IndexerSettings = IndexerSettings()
    nlp: NlpSettings = NlpSettings()
    notifications: list[NotificationChannelSettings] = []
    rules: list[RuleSettings] = []
    alerting: AlertingSettings = AlertingSettings()
    web: WebSettings = WebSettings()
    trends: TrendsSettings = TrendsSettings()
    kibana: KibanaSettings = KibanaSettings()
    digests: list[DigestSettings] = []

    @field_validator("brands", "competitors")
    @classmethod
    def _brand_names_are_unique(
        cls, brands: list[BrandSettings], info: ValidationInfo
    ) -> list[BrandSettings]:
        problems = repeated(brands, lambda brand: fold(brand.name), (str(info.field_name),))
        if problems:
            raise FieldProblemsError(problems)
        return brands

    @field_validator("sources", "notifications", "rules", "digests")
    @classmethod
    def _names_are_unique(cls, items: list[Named], info: ValidationInfo) -> list[Named]:
        problems = repeated(items, lambda item: item.name, (str(info.field_name),))
        if problems:
            raise FieldProblemsError(problems)
        return items

    def brand_words(self) -> list[str]:
        """Every brand's and competitor's name, aliases and handles (without ``@``): what
        posts are found by, so never a theme of them."""
        return [
            term
            for brand in [*self.brands, *self.competitors]
            for term in [*brand.terms, *(handle.lstrip("@") for handle in brand.handles)]
        ]

    @model_validator(mode="after")
    def _references_are_known(self) -> Settings:
        problems = brand_conflicts(self.brands, self.competitors) + unknown_references(self)
        problems += digest_problems(self)
        if problems:
            raise FieldProblemsError(problems)
        return self
