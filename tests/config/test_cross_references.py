"""Settings that name each other (issue 10, item 3): what the run would trip on, or what could
never take effect, is an error naming the field, the unknown value and the known ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import load_settings
from core.errors import ConfigError

BRANDS = """\
brands:
  - name: Hoshi Mobile
    aliases: [HoshiMobile]
competitors:
  - name: Nami Telecom
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value).splitlines()


def test_a_partial_sla_map_is_merged_over_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "alerting:\n  cases:\n    sla_minutes: {urgent: 15}\n")
    sla = load_settings(path).alerting.cases.sla_minutes
    assert sla == {"urgent": 15, "high": 120, "normal": 480, "low": 1440}


def test_a_brand_that_is_both_own_and_competitor_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BRANDS
        + "  - name: hoshi mobile\n  - name: Kaze\n    aliases: [Nami, ＨＯＳＨＩＭＯＢＩＬＥ]\n",
    )
    assert error_lines(path) == [
        f"{path}:6: competitors[1].name: also an own brand, brands[0] (got 'hoshi mobile')",
        f"{path}:8: competitors[2].aliases[1]: also a term of own brand brands[0] "
        "(got 'ＨＯＳＨＩＭＯＢＩＬＥ')",
    ]


def test_rules_naming_unknown_brands_sources_and_topics_are_errors(tmp_path: Path) -> None:
    text = BRANDS + (
        "sources:\n  - {name: hn, type: hackernews}\n"
        "nlp:\n  topics:\n    - {name: billing, description: bills}\n"
        "rules:\n"
        "  - name: r1\n    feed: care\n    brands: [Kaze]\n    sources: [hn, reddit]\n"
        "    topics: [billing, refund]\n"
        "  - name: r2\n    feed: care\n    brand_role: own\n    brands: [Nami Telecom]\n"
    )
    path = write(tmp_path, text)
    assert error_lines(path) == [
        f"{path}:14: rules[0].brands[0]: unknown brand; configured: Hoshi Mobile, Nami Telecom "
        "(got 'Kaze')",
        f"{path}:15: rules[0].sources[1]: unknown source; configured: hn (got 'reddit')",
        f"{path}:16: rules[0].topics[1]: unknown topic; configured: billing (got 'refund')",
        f"{path}:20: rules[1].brands[0]: a competitor, but the rule's brand_role is own, "
        "so it can never fire (got 'Nami Telecom')",
    ]


def test_unknown_channels_are_named_everywhere_they_are_used(tmp_path: Path) -> None:
    text = "rules:\n  - {name: r1, notify: [care]}\nalerting:\n  spikes:\n    notify: [ops]\n"
    path = write(tmp_path, text)
    assert error_lines(path) == [
        f"{path}:2: rules[0].notify[0]: unknown channel; configured: none (got 'care')",
        f"{path}:5: alerting.spikes.notify[0]: unknown channel; configured: none (got 'ops')",
    ]


def test_topic_names_repeated_are_named(tmp_path: Path) -> None:
    text = "nlp:\n  topics:\n    - {name: a, description: x}\n    - {name: a, description: y}\n"
    path = write(tmp_path, text)
    assert error_lines(path) == [
        f"{path}:4: nlp.topics[1].name: already used by nlp.topics[0] (got 'a')"
    ]
