"""Downloading, verifying and unpacking the distribution, against a local HTTP server."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import AnyHttpUrl

from config.paths import default_cache_dir
from config.settings import LocalNodeSettings
from core.errors import ChecksumMismatchError, DownloadError, ElasticsearchNodeError
from indexer.localnode.distribution import (
    KNOWN_SHA512,
    distribution_url,
    ensure_distribution,
    expected_sha512,
)

VERSION = "9.9.9"
ARTIFACT = "org/elasticsearch/distribution/integ-test-zip/elasticsearch"


class MavenRepo:
    """A directory served over HTTP on 127.0.0.1 that records the paths requested."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        repo = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                repo.requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=root))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/maven2"

    def publish(self, version: str) -> str:
        """Put a tiny integ-test-zip for ``version`` in the repo; return its sha512."""
        folder = self.root / "maven2" / ARTIFACT / version
        folder.mkdir(parents=True)
        archive = folder / f"elasticsearch-{version}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for name, mode, text in (
                ("bin/elasticsearch", 0o755, "#!/bin/sh\nexit 0\n"),
                ("config/elasticsearch.yml", 0o660, "# stock\n"),
                ("lib/README", 0o644, "jars\n"),
            ):
                info = zipfile.ZipInfo(f"elasticsearch-{version}/{name}")
                info.external_attr = (0o100000 | mode) << 16
                zf.writestr(info, text)
        return hashlib.sha512(archive.read_bytes()).hexdigest()

    def settings(self, version: str, sha512: str | None) -> LocalNodeSettings:
        return LocalNodeSettings(version=version, sha512=sha512, maven_url=AnyHttpUrl(self.url))


@pytest.fixture
def maven(tmp_path: Path) -> Iterator[MavenRepo]:
    repo = MavenRepo(tmp_path / "served")
    thread = threading.Thread(target=repo.server.serve_forever, daemon=True)
    thread.start()
    yield repo
    repo.server.shutdown()
    repo.server.server_close()
    thread.join()


def test_url_and_pinned_checksum_of_the_default_version() -> None:
    settings = LocalNodeSettings()

    assert distribution_url(settings) == (
        "https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/"
        "elasticsearch/8.19.21/elasticsearch-8.19.21.zip"
    )
    assert expected_sha512(settings) == KNOWN_SHA512["8.19.21"]
    assert expected_sha512(LocalNodeSettings(sha512="a" * 128)) == "a" * 128


def test_download_verifies_unpacks_keeps_exec_bits_and_caches(
    maven: MavenRepo, tmp_path: Path
) -> None:
    settings = maven.settings(VERSION, maven.publish(VERSION))
    cache = tmp_path / "cache"
    messages: list[str] = []

    home = ensure_distribution(settings, cache, messages.append)

    assert home == cache / f"elasticsearch-{VERSION}"
    assert (home / "bin" / "elasticsearch").stat().st_mode & 0o777 == 0o755
    assert (home / "config" / "elasticsearch.yml").stat().st_mode & 0o777 == 0o660
    assert (home / "lib" / "README").read_text() == "jars\n"
    assert sorted(p.name for p in cache.iterdir()) == [home.name]  # no zip, no temp files
    assert messages[0].startswith(f"downloading {distribution_url(settings)}")
    assert "downloaded 100%" in messages
    assert len(maven.requests) == 1

    assert ensure_distribution(settings, cache, messages.append) == home
    assert len(maven.requests) == 1  # cached: nothing downloaded the second time


def test_checksum_mismatch_removes_the_download(maven: MavenRepo, tmp_path: Path) -> None:
    maven.publish(VERSION)
    cache = tmp_path / "cache"

    with pytest.raises(ChecksumMismatchError) as raised:
        ensure_distribution(maven.settings(VERSION, "0" * 128), cache, lambda _: None)

    assert raised.value.expected == "0" * 128
    assert list(cache.iterdir()) == []


def test_missing_artifact_is_a_download_error(maven: MavenRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"

    with pytest.raises(DownloadError) as raised:
        ensure_distribution(maven.settings("1.2.3", "0" * 128), cache, lambda _: None)

    assert raised.value.reason == "HTTP 404 File not found"
    assert list(cache.iterdir()) == []


def test_unknown_version_without_checksum_asks_for_one(maven: MavenRepo, tmp_path: Path) -> None:
    maven.publish(VERSION)

    with pytest.raises(ElasticsearchNodeError, match=r"set elasticsearch\.local\.sha512"):
        ensure_distribution(maven.settings(VERSION, None), tmp_path / "cache", lambda _: None)

    assert maven.requests == []


@pytest.mark.skipif(default_cache_dir() != Path("/var/cache/kikimimi"), reason="not root")
def test_root_caches_where_the_node_user_can_read() -> None:
    assert default_cache_dir() == Path("/var/cache/kikimimi")


@pytest.mark.skipif(default_cache_dir() == Path("/var/cache/kikimimi"), reason="root")
def test_users_cache_under_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert default_cache_dir() == tmp_path / "kikimimi"
