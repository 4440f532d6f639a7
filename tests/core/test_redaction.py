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


def test_secrets_are_masked_as_whole_tokens_only() -> None:
    redactor = SecretRedactor(["hoshi", "s3cr3t-9f", "-edge-"])
    assert redactor.redact("hoshimobile said hoshi") == "hoshimobile said ***"
    assert redactor.redact("auth=s3cr3t-9f, again (s3cr3t-9f)") == "auth=***, again (***)"
    assert redactor.redact("s3cr3t-9fx _hoshi hoshi2") == "s3cr3t-9fx _hoshi hoshi2"
    assert redactor.redact("a-edge-b") == "a***b"  # its own edges are not word characters


def test_secrets_shorter_than_the_minimum_are_not_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redactor = SecretRedactor(["r", "abc", "abcd"])
    assert redactor.secrets == ["abcd"]
    logger = logging.getLogger("test.redaction")
    caplog.handler.addFilter(redactor)
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("Spider closed (finished) abc abcd")
    assert "Spider closed (finished) abc ***" in caplog.text


def test_secrets_added_later_are_masked_too() -> None:
    redactor = SecretRedactor(["first-secret"])
    redactor.secrets = [*redactor.secrets, "token-learnt-later", "xy"]
    assert redactor.secrets == ["token-learnt-later", "first-secret"]
    assert redactor.redact("first-secret token-learnt-later xy") == "*** *** xy"
