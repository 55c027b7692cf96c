"""The `observatory` command imports the module of the command it runs, not the others':
`observatory sql` starts without Dagster, `refresh` without the other commands; the
list of commands (no command named) still has them all."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

# In a fresh interpreter: this one has imported everything already.
CHILD = """
import json, re, sys
from observatory.cli import parser
seen = {}
def loaded(*names):
    return sorted(n for n in names if n in sys.modules)
parser(["sql", "--format", "json", "SELECT 1"])
seen["sql"] = loaded("dagster", "assets.cli", "observatory.cli.sql", "observatory.cli.check")
parser(["refresh", "--wave", "2026"])
seen["refresh"] = loaded("dagster", "assets.cli", "observatory.cli.check")
seen["all"] = sorted(re.search(r"{(.*?)}", parser([]).format_usage()).group(1).split(","))
print(json.dumps(seen))
"""


def test_a_command_imports_its_own_module_only():
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["sql"] == ["observatory.cli.sql"]
    assert seen["refresh"] == ["assets.cli", "dagster"]
    assert seen["all"] == [
        "check",
        "demo",
        "generate-sample",
        "instrument",
        "refresh",
        "report",
        "snapshots",
        "sql",
    ]
