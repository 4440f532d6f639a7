"""Download, verify and unpack the Elasticsearch integ-test distribution from Maven."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from config import LocalNodeSettings
from core import ChecksumMismatchError, DownloadError, ElasticsearchNodeError

KNOWN_SHA512 = {
    "8.19.21": (
        "cf6b0a93860d329937ae7f913ec5073b0c726c77639764b93fc83a304aa1dd9d"
        "4defcfa2849948eea3b0b47c2065f994908603939fc2a4774c9c4d868c5ec1dd"
    ),
}

_ARTIFACT_PATH = "org/elasticsearch/distribution/integ-test-zip/elasticsearch"
_CHUNK_BYTES = 1 << 20
_DOWNLOAD_TIMEOUT_SECONDS = 60.0

Progress = Callable[[str], None]


def distribution_url(settings: LocalNodeSettings) -> str:
    """The Maven URL of the integ-test zip for ``settings.version``."""
    base = str(settings.maven_url).rstrip("/")
    version = settings.version
    return f"{base}/{_ARTIFACT_PATH}/{version}/elasticsearch-{version}.zip"


def expected_sha512(settings: LocalNodeSettings) -> str:
    """The pinned sha512 of the zip: ``settings.sha512`` if set, else the built-in one."""
    if settings.sha512 is not None:
        return settings.sha512
    known = KNOWN_SHA512.get(settings.version)
    if known is None:
        raise ElasticsearchNodeError(
            f"no pinned sha512 for Elasticsearch {settings.version}; set "
            f"elasticsearch.local.sha512 to the sha512 of {distribution_url(settings)} "
            f"(known versions: {', '.join(sorted(KNOWN_SHA512))})"
        )
    return known


def ensure_distribution(settings: LocalNodeSettings, cache_dir: Path, progress: Progress) -> Path:
    """Return the unpacked distribution for ``settings.version``, fetching it on first use."""
    home = cache_dir / f"elasticsearch-{settings.version}"
    if (home / "bin" / "elasticsearch").is_file():
        return home
    sha512 = expected_sha512(settings)
    cache_dir.mkdir(parents=True, exist_ok=True)
    archive = cache_dir / f"elasticsearch-{settings.version}.zip"
    if not archive.is_file():
        _download(distribution_url(settings), archive, sha512, progress)
    progress(f"extracting {archive.name} into {cache_dir}")
    _extract(archive, home)
    archive.unlink()
    return home


def _download(url: str, target: Path, sha512: str, progress: Progress) -> None:
    """Fetch ``url`` into ``target`` atomically, checking it against ``sha512``."""
    if not url.startswith(("http://", "https://")):
        raise DownloadError(url, "only http and https URLs are supported")
    fd, part_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    part = Path(part_name)
    digest = hashlib.sha512()
    try:
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(  # noqa: S310 (scheme checked)
                url, timeout=_DOWNLOAD_TIMEOUT_SECONDS
            ) as response,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            size = f" ({total / 1e6:.0f} MB)" if total else ""
            progress(f"downloading {url}{size}")
            received = 0
            reported = 0
            while chunk := response.read(_CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                percent = received * 100 // total if total else 0
                if percent >= reported + 10:
                    reported = percent - percent % 10
                    progress(f"downloaded {reported}%")
    except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
        part.unlink(missing_ok=True)
        raise DownloadError(url, _describe(exc)) from exc
    actual = digest.hexdigest()
    if actual != sha512.lower():
        part.unlink()
        raise ChecksumMismatchError(target, sha512, actual)
    part.replace(target)


def _describe(exc: OSError | http.client.HTTPException) -> str:
    """A short reason for a failed download: the HTTP status, or what the network said."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)


def _extract(archive: Path, home: Path) -> None:
    """Unpack ``archive`` (one top-level folder) to ``home``, keeping file permission bits."""
    staging = Path(tempfile.mkdtemp(dir=home.parent, prefix=f".{home.name}."))
    try:
        _unzip(archive, staging)
        top = staging / home.name
        if not (top / "bin" / "elasticsearch").is_file():
            raise ElasticsearchNodeError(
                f"{archive} does not hold {home.name}/bin/elasticsearch; "
                "is it an Elasticsearch integ-test-zip?"
            )
        try:
            top.rename(home)
        except OSError:
            # Another process may have unpacked the same version meanwhile.
            if not (home / "bin" / "elasticsearch").is_file():
                raise
    except (OSError, zipfile.BadZipFile) as exc:
        raise ElasticsearchNodeError(f"could not extract {archive} to {home}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unzip(archive: Path, target: Path) -> None:
    """Extract every member; zipfile drops permission bits, so restore them from the archive."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            extracted = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if info.is_dir():
                extracted.chmod(0o755)
            elif mode:
                extracted.chmod(mode)
