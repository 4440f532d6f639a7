"""The demo's web users and its hint (issue 11): after ``make demo``, a lead and an agent
sign in to ``kikimimi web`` on the demo's data with the printed password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from config import load_settings, users_path
from kikimimi.accounts import Accounts, Role
from kikimimi.demo.job import DEMO_PASSWORD, create_demo_users, web_hint

RULES = [
    {"name": "outage", "open_case": True, "team": "care-leads"},
    {"name": "complaints", "open_case": True, "team": "care"},
    {"name": "competitors", "feed": "marketing"},
]


def test_the_demo_creates_a_lead_and_an_agent_and_says_how_to_sign_in(tmp_path: Path) -> None:
    config = tmp_path / "kikimimi.yaml"
    config.write_text(yaml.safe_dump({"state_dir": "state", "rules": RULES}), encoding="utf-8")
    settings = load_settings(config)

    users = create_demo_users(settings)

    with Accounts(users_path(settings)) as accounts:
        lead = accounts.authenticate("demo-lead", DEMO_PASSWORD, client="test")
        agent = accounts.authenticate("demo-agent", DEMO_PASSWORD, client="test")
    assert (lead.role, lead.teams) == (Role.LEAD, ("care", "care-leads", "marketing"))
    assert (agent.role, agent.teams) == (Role.AGENT, ("care", "care-leads"))
    hint = "\n".join(web_hint(config, users))
    assert f".venv/bin/kikimimi --config {config} web" in hint
    assert f"demo-lead (lead, teams care, care-leads, marketing), password {DEMO_PASSWORD}" in hint
    assert "demo-agent (agent" in hint
    env = {k: v for k, v in os.environ.items() if k != "KIKIMIMI_CONFIG"}
    listed = subprocess.run(
        [sys.executable, "-m", "kikimimi", "--config", str(config), "users", "list"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "demo-lead" in listed.stdout and "demo-agent" in listed.stdout
