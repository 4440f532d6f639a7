"""The ``web`` section: where ``kikimimi web`` listens, how long sessions last, the proxies
it believes; a bad value is one error naming the file's line, the field and the value."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from config.loader import DEFAULT_CONFIG, load_settings
from config.web import WebSettings
from tests.config.config_errors import error


def write(tmp_path: Path, web: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(f"state_dir: var\nweb:\n{web}", encoding="utf-8")
    return path


def test_the_defaults_serve_this_host_only_without_single_sign_on(tmp_path: Path) -> None:
    web = load_settings(write(tmp_path, "  {}\n")).web

    assert (web.host, web.port) == ("127.0.0.1", 8080)
    assert (web.session_idle_hours, web.session_max_days) == (12, 7)
    assert web.trusted_proxies == [ipaddress.ip_network("127.0.0.1")]
    assert web.proxy_user_header is None


def test_the_shipped_file_sets_the_defaults() -> None:
    assert load_settings(DEFAULT_CONFIG).web == WebSettings()


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  host: care.example.internal\n"
        "  port: 9000\n"
        "  session_idle_hours: 1.5\n"
        "  session_max_days: 1\n"
        "  trusted_proxies: [10.0.0.5, 10.1.0.0/16, '::1']\n"
        "  proxy_user_header: X-Forwarded-User\n",
    )
    web = load_settings(path).web

    assert (web.host, web.port, web.session_idle_hours, web.session_max_days) == (
        "care.example.internal",
        9000,
        1.5,
        1,
    )
    assert [str(n) for n in web.trusted_proxies] == ["10.0.0.5/32", "10.1.0.0/16", "::1/128"]
    assert web.proxy_user_header == "X-Forwarded-User"


def test_bad_values_name_file_line_field_and_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  host: 'care team'\n"
        "  port: 70000\n"
        "  session_idle_hours: 0\n"
        "  trusted_proxies: [10.0.0.300]\n"
        "  proxy_user_header: 'X User'\n"
        "  sso: on\n",
    )

    assert error(path).splitlines() == [
        f"{path}:3: web.host: must be an IP address or a host name (got 'care team')",
        f"{path}:4: web.port: Input should be less than or equal to 65535 (got 70000)",
        f"{path}:5: web.session_idle_hours: Input should be greater than 0 (got 0)",
        f"{path}:6: web.trusted_proxies[0]: value is not a valid IPv4 or IPv6 network"
        " (got '10.0.0.300')",
        f"{path}:7: web.proxy_user_header: String should match pattern"
        " '^[A-Za-z0-9][A-Za-z0-9-]*$' (got 'X User')",
        f"{path}:8: web.sso: unknown setting (got True)",
    ]


@pytest.mark.parametrize("header", ["Authorization", "cookie", "X-Forwarded-For"])
def test_the_user_header_is_not_one_the_app_reads_itself(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, f"  proxy_user_header: {header}\n")

    assert error(path) == (
        f"{path}:3: web.proxy_user_header: must be a header of its own (the app reads this"
        f" one itself) (got '{header}')"
    )


def test_single_sign_on_needs_a_trusted_proxy(tmp_path: Path) -> None:
    path = write(tmp_path, "  trusted_proxies: []\n  proxy_user_header: X-Remote-User\n")

    assert error(path) == (
        f"{path}:3: web.trusted_proxies: name the proxy's addresses, or its user header is"
        " never believed (got [])"
    )
