"""Secrets never reach the logs."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from config.sources import RedditSource
from core.redaction import SecretRedactor, secrets_in


def test_secret_values_and_url_credentials_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    source = RedditSource(
        name="r", type="reddit", client_id=SecretStr("id-123"), client_secret=SecretStr("s3cr3t")
    )
    assert sorted(secrets_in(source)) == ["id-123", "s3cr3t"]
    logger = logging.getLogger("test.redaction")
    caplog.handler.addFilter(SecretRedactor(secrets_in(source)))
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("auth %s:%s", "id-123", "s3cr3t")
        logger.info("GET https://api.example/search?q=x&key=abcdef&page=2")
    assert "id-123" not in caplog.text and "s3cr3t" not in caplog.text
    assert "abcdef" not in caplog.text
    assert "auth ***:***" in caplog.text
    assert "key=***&page=2" in caplog.text
