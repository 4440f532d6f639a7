"""Commands load on demand: running one imports its own module, not every other command's
(``kikimimi nlp score`` starts without the web app, the demo or the Elasticsearch client)."""

from __future__ import annotations

import json
import subprocess
import sys

LOADED = """
import json, sys
from click.testing import CliRunner
from kikimimi.cli import cli
result = CliRunner().invoke(cli, ["nlp", "score", "--help"])
assert result.exit_code == 0, result.output
print(json.dumps(sorted(sys.modules)))
"""


def test_running_one_command_loads_only_its_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(done.stdout))
    assert "kikimimi.cli.nlp_cmds" in loaded
    commands = {name for name in loaded if name.startswith("kikimimi.cli.")}
    assert commands <= {"kikimimi.cli.context", "kikimimi.cli.lazy_group", "kikimimi.cli.nlp_cmds"}
    assert not {"elasticsearch", "kikimimi.web", "kikimimi.demo", "fastapi"} & loaded
