"""Build an Elasticsearch client from settings."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from config import ElasticsearchSettings


def make_client(settings: ElasticsearchSettings) -> Elasticsearch:
    """A client for the configured cluster (the local node by default)."""
    auth: dict[str, object] = {}
    if settings.api_key is not None:
        auth["api_key"] = settings.api_key.get_secret_value()
    if settings.username is not None and settings.password is not None:
        auth["basic_auth"] = (settings.username, settings.password.get_secret_value())
    if settings.ca_certs is not None:
        auth["ca_certs"] = str(settings.ca_certs)
    return Elasticsearch(
        [str(host).rstrip("/") for host in settings.hosts],
        verify_certs=settings.verify_certs,
        request_timeout=settings.request_timeout_seconds,
        **auth,  # type: ignore[arg-type]
    )
