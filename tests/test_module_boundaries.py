"""What the modules may use of each other: a name with a leading underscore stays in its module, the office's YAML
files are read by one strict reader, the one Store class is not second-guessed, the CLI's entry imports no heavy
library, and every package is one pyproject.toml installs. Reads the source; the CLI's test runs one
`import monitor.cli` in a fresh interpreter."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("monitor", "classifiers")


def _sources(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_uses_another_modules_private_names():
    # a private name can change with its module alone: one used elsewhere breaks that module unseen
    ours = {p.stem for package in PACKAGES for p in (ROOT / package).rglob("*.py")} | set(PACKAGES)
    found = []
    for where, text in _sources(*PACKAGES):
        tree = ast.parse(text)
        modules = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"{where}:{node.lineno} imports {node.module}.{alias.name}")
                    elif alias.name in ours:  # `from monitor import report`
                        modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and node.value.id in modules):
                found.append(f"{where}:{node.lineno} uses {modules[node.value.id]}.{node.attr}")
            # the App every command is handed: `app._store`, `self.app._classifier`
            if (isinstance(node, ast.Attribute) and _private(node.attr) and where != "monitor/app.py"
                    and (isinstance(node.value, ast.Name) and node.value.id == "app"
                         or isinstance(node.value, ast.Attribute) and node.value.attr == "app")):
                found.append(f"{where}:{node.lineno} uses App.{node.attr}")
    assert found == []


def test_the_classifiers_read_yaml_through_the_one_strict_reader():
    # monitor.config.load_yaml reports a key written twice, which a plain yaml.safe_load drops without a word
    found = [f"{where}:{text[:m.start()].count(chr(10)) + 1}" for where, text in _sources("classifiers")
             for m in re.finditer(r"\byaml\.(safe_)?load\(", text)]
    assert found == []


def test_no_guard_asks_whether_the_store_has_a_method():
    # there is one Store class (monitor.store.Store) and it has them all: a guard would only hide a misspelt name
    found = [f"{where}:{text[:m.start()].count(chr(10)) + 1}" for where, text in _sources(*PACKAGES)
             for m in re.finditer(r"hasattr\((self\.)?(app\.)?store\b", text)]
    assert found == []


def test_the_cli_loads_no_heavy_library_before_a_command_needs_it():
    # every command, `--help` and a mistyped option included, starts by importing monitor.cli: the models' libraries,
    # grouping's datasketch and the fetchers cost seconds there; a command imports what it uses when it runs
    import subprocess
    import sys

    heavy = ("datasketch", "numpy", "sklearn", "scipy", "underthesea", "joblib", "httpx", "feedparser", "bs4", "lxml",
             "docx", "jinja2", "apscheduler")
    code = f"import sys, monitor.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"import monitor.cli loads {out.strip()}"


def test_every_package_is_installed():
    # setuptools installs the packages pyproject.toml lists, no others: one left out (a module grown into a package,
    # as monitor/config/ did) works from the checkout and the tests but is missing from an installed monitor
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {init.parent.relative_to(ROOT).as_posix().replace("/", ".") for package in PACKAGES
             for init in (ROOT / package).rglob("__init__.py")}
    assert found - listed == set()
