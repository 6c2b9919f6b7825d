"""The README documents every command with its current help, its set-up commands are the real ones, and what the
shipped configuration files tell the office (in comments) is what the program does."""

from __future__ import annotations

import re
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
               if not getattr(cmd, "commands", None) and "Ví dụ" not in help_text(p)]
    assert not missing, f"commands without an example (Ví dụ) in --help: {missing}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert command in readme and command in ci
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/monitor demo" in readme


def test_the_shipped_feeds_yaml_shows_the_default_recipients_as_a_line_to_uncomment(tmp_path):
    """The commented office.recipients says what leaving it out gives (a Phòng's report goes to the Sở first) and,
    uncommented as it stands ("Lưu: VT" unquoted included), is read as those very lines. Checked on the shipped
    starting config (what `monitor init` writes; the checkout's feeds.yaml ships as the same file): the checkout's
    copy is the office's to edit, its recipients its own."""
    from monitor.config import load_config

    shipped = ROOT / "monitor" / "templates" / "feeds.example.yaml"
    text = shipped.read_text(encoding="utf-8").replace("data_dir: var", f"data_dir: {tmp_path / 'var'}")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "không ghi thì, với" in line)
    shown = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("# recipients:"))
    (tmp_path / "left-out.yaml").write_text(text, encoding="utf-8")
    lines[shown] = lines[shown].replace("# recipients:", "recipients:", 1)
    (tmp_path / "uncommented.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    default = load_config(tmp_path / "left-out.yaml").office
    assert not default.recipients
    assert load_config(tmp_path / "uncommented.yaml").office.recipients == default.report_recipients


# a commented-out setting ("# proxy: http://...", "# recipients: [...]"), which is the file's own language, not prose
_SHOWN_SETTING = re.compile(r"^\s*#\s*[a-z_]+:\s")
_ENGLISH = re.compile(r"\b(?:the|is|are|and|of|to|per|when|what|each|every|here|empty|left out|its|this)\b|\be\.g\.")


def test_the_shipped_configuration_files_speak_vietnamese_to_whoever_edits_them():
    """The office's IT person edits feeds.yaml (the checkout's, or the one `monitor init` writes) and calendar.yaml:
    their comments are Vietnamese (clerk journey: "# empty: digests go to the outbox folder instead of mail", the
    whole header); keys, values and the settings shown commented out stay as the program reads them. A comment
    line of prose with English words in it is named. (classifiers/topics.yaml keeps its English comments: the
    shipped models pin that file's bytes by their sha256, so a comment-only edit reads as rules edited since
    training.)"""
    english = []
    for path in (ROOT / "monitor" / "templates" / "feeds.example.yaml", ROOT / "feeds.yaml",
                 ROOT / "monitor" / "calendar.yaml"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            comment = line[line.index("#"):] if line.lstrip().startswith("#") else line.partition(" # ")[2]
            if not comment or _SHOWN_SETTING.match(comment):
                comment = comment.partition("   # ")[2]  # the note after a setting shown commented out
            prose = re.sub(r"`[^`]*`|\([^()]*\)|\[[^]]*\]|\S+\.(?:yaml|md|py)\b", "", comment)
            if _ENGLISH.search(prose.lower()):
                english.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not english, "English comments in a file the office edits:\n" + "\n".join(english)


def test_the_calendar_names_a_command_that_lists_the_topic_ids(config_file):
    """calendar.yaml tells the office where to find the topic ids to write; that command must show them all."""
    import re
    import shlex

    from classifiers.rules import load_rules

    shipped = (ROOT / "monitor" / "calendar.yaml").read_text(encoding="utf-8")
    lines = shipped.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith("topics:"))
    comment = " ".join([lines[at], *(line for line in lines[at + 1:at + 4] if line.startswith("#    "))])
    command = re.search(r"`monitor ([^`]+)`", comment)
    assert command, comment
    # an office's copy with a mistyped id, as the comment is read when writing one
    (config_file.parent / "calendar.yaml").write_text(shipped.replace("[tuyen-sinh, huong-nghiep]",
                                                                      "[tuyen-sin, huong-nghiep]", 1), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config_file),
                           *shlex.split(command.group(1))], capture_output=True, text=True, cwd=ROOT)
    missing = [t.id for t in load_rules(None).topics if t.id not in proc.stdout + proc.stderr]
    assert not missing, f"`monitor {command.group(1)}` does not list {missing}"


def test_what_the_readme_says_of_missing_output_folders(config_file, tmp_path):
    """`--out DIR` makes the folder (the examples' `--out reports/` on a fresh machine); an output file whose folder
    is missing is a 3 naming it."""
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert ("An output file whose folder is missing (`--output`, `--log-file`), or a file or folder that cannot be "
            "written (`--out` too), is a 3, naming it; `--out DIR` makes a missing folder, with its parents.") in readme
    monitor = [sys.executable, "-m", "monitor", "--config", str(config_file)]
    subprocess.run([*monitor, "init"], capture_output=True, text=True, check=True)
    out = tmp_path / "new" / "diem-bao"
    proc = subprocess.run([*monitor, "digest", "--format", "txt", "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0 and any(out.glob("*.txt")), proc.stderr
    missing = tmp_path / "missing" / "november.jsonl"
    proc = subprocess.run([*monitor, "export", "-o", str(missing)], capture_output=True, text=True)
    assert proc.returncode == 3 and str(missing) in proc.stderr, proc.stderr
