"""``kikimimi demo`` end to end: stand-ins, the main job, cases, spike, notices, KPIs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kikimimi.demo.job import DemoSummary, render

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def test_the_demo_runs_the_main_job_on_the_sample_stream(demo_run: DemoSummary) -> None:
    summary = demo_run
    text = render(summary)

    assert summary.mentions >= 50
    assert set(summary.by_source) == {
        "hn",
        "mastodon",
        "forum",
        "news",
        "appstore",
        "stackexchange",
        "bluesky",
    }
    assert any(c.priority == "urgent" and c.team == "care-leads" for c in summary.cases)
    assert any(len(c.mention_ids) > 1 for c in summary.cases), "follow-ups join cases"
    kinds = [n.kind for n in summary.notices]
    assert kinds.count("spike") == 1
    assert kinds.count("case_opened") == len(summary.cases)
    assert "feed" in kinds
    assert summary.kpis.cases_opened == len(summary.cases)
    assert summary.kpis.first_response.count > 0
    assert summary.report_path.is_file()
    assert "Spike alerts: 1" in text and "KPIs" in text

    # The hint's command works after the demo, in a shell that has none of its environment.
    check = subprocess.run(
        [sys.executable, "-m", "kikimimi", "--config", str(summary.config_path), "config", "check"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root")},
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert f"--config {summary.config_path} web" in text
