"""Regenerate the README's command reference from the CLI's own help texts.

    python scripts/readme_commands.py          # rewrite the section between the markers
    python scripts/readme_commands.py --check  # exit 1 when the README is out of date (tests use this)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        out.append((prefix + (name,), cmd))
        if isinstance(cmd, click.Group):
            out.extend(command_paths(cmd, prefix + (name,)))
    return out


def help_text(path: tuple[str, ...]) -> str:
    from monitor.cli import cli

    ctx = click.Context(cli, info_name="monitor", terminal_width=100, max_content_width=100)
    cmd: click.Command = cli
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
        ctx = click.Context(cmd, info_name=name, parent=ctx, terminal_width=100, max_content_width=100)
    return cmd.get_help(ctx)


def render() -> str:
    from monitor.cli import cli

    parts = [START, "", "### `monitor`", "", "```text", help_text(()), "```", ""]
    for path, _ in command_paths(cli):
        parts += [f"### `monitor {' '.join(path)}`", "", "```text", help_text(path), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = head + render() + tail
    if "--check" in sys.argv:
        if new != text:
            print("README.md command reference is out of date: run python scripts/readme_commands.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
