"""The ``trends`` section: the emerging themes' warm-up interval, what one request may embed
and how many embeddings are kept; a bad value is one error naming the file's line, the field
and the value."""

from __future__ import annotations

from pathlib import Path

from config import TrendsSettings
from config.loader import DEFAULT_CONFIG, load_settings
from tests.config.config_errors import error


def write(tmp_path: Path, trends: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(f"state_dir: var\ntrends:\n{trends}", encoding="utf-8")
    return path


def test_the_defaults_warm_up_every_five_minutes(tmp_path: Path) -> None:
    trends = load_settings(write(tmp_path, "  {}\n")).trends

    assert trends.emerging_refresh_minutes == 5
    assert trends.emerging_embed_per_request == 100
    assert trends.emerging_cache_size == 50_000


def test_the_shipped_file_sets_the_defaults() -> None:
    assert load_settings(DEFAULT_CONFIG).trends == TrendsSettings()


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  emerging_refresh_minutes: 0\n"
        "  emerging_embed_per_request: 0\n"
        "  emerging_cache_size: 200000\n",
    )

    assert load_settings(path).trends == TrendsSettings(
        emerging_refresh_minutes=0, emerging_embed_per_request=0, emerging_cache_size=200_000
    )


def test_bad_values_name_file_line_field_and_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  emerging_refresh_minutes: -1\n"
        "  emerging_embed_per_request: lots\n"
        "  emerging_cache_size: 500\n"
        "  emerging_themes: off\n",
    )

    assert error(path).splitlines() == [
        f"{path}:3: trends.emerging_refresh_minutes: Input should be greater than or equal to 0"
        " (got -1)",
        f"{path}:4: trends.emerging_embed_per_request: Input should be a valid integer, unable"
        " to parse string as an integer (got 'lots')",
        f"{path}:5: trends.emerging_cache_size: Input should be greater than or equal to 10000"
        " (got 500)",
        f"{path}:6: trends.emerging_themes: unknown setting (got False)",
    ]


def test_brand_words_are_every_brands_terms_and_handles_without_the_at(tmp_path: Path) -> None:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(
        "state_dir: var\n"
        "brands: [{name: Hoshi Mobile, aliases: [ほしモバ], handles: ['@hoshi_mobile']}]\n"
        "competitors: [{name: Nami Telecom}]\n",
        encoding="utf-8",
    )

    words = load_settings(path).brand_words()

    assert set(words) == {"Hoshi Mobile", "ほしモバ", "hoshi_mobile", "Nami Telecom"}
