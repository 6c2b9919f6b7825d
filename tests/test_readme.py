"""The README documents every command with its current help, and its set-up commands are the real ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_is_in_the_readme_with_its_help():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_commands.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_every_command_has_an_example():
    sys.path.insert(0, str(ROOT / "scripts"))
    from readme_commands import command_paths, help_text
    from monitor.cli import cli

    missing = [" ".join(p) for p, cmd in command_paths(cli)
               if not getattr(cmd, "commands", None) and "Example" not in help_text(p)]
    assert not missing, f"commands without an Example in --help: {missing}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert command in readme and command in ci
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/monitor demo" in readme
