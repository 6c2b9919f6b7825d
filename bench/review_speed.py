"""Speed of `monitor review` (and `monitor status`, which counts the same queue) on an existing store.

    .venv/bin/python bench/review_speed.py --store FEEDS_YAML [--since 2026-02-20 --since 2026-10-01 ...]
        [--limit 5] [--runs 1] [--code DIR] [--out DIR]

runs `monitor review --json`, then `monitor review` (the text a person reads), for the default window (the last 7
days) and for each --since day, then `monitor status --json`: a process each, as a person runs them, timed for
wall time and peak resident memory (the process's own, from wait4). Point it at a copy of a year's store (e.g.
bench/year_store.py's): review only reads, but `monitor label` to test labelled windows writes.

--code DIR runs a second checkout (the code before a change) the same way and compares the two's outputs byte
for byte (status only on its review count: its other lines follow the clock). --out DIR keeps every output.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(code: Path, config: Path, args: list[str]) -> tuple[float, int, bytes]:
    """(wall seconds, peak RSS in KB, standard output) of one `monitor` process run from `code`."""
    env = dict(os.environ, PYTHONPATH=str(code))
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), *args], cwd=config.parent,
                                env=env, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode:
            raise SystemExit(f"monitor {' '.join(args)} (code {code}) failed with {proc.returncode}: {err}")
        out.seek(0)
        return wall, usage.ru_maxrss, out.read()


def comparable(args: list[str], output: bytes) -> bytes:
    if args[0] == "status":  # its other lines follow the clock (jobs' next runs, feeds' ages)
        return json.dumps(json.loads(output)["model"]["awaiting_review"]).encode()
    return output


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True, help="the feeds.yaml of the store to read")
    ap.add_argument("--since", action="append", default=[], help="a window's first day (YYYY-MM-DD); repeatable")
    ap.add_argument("--limit", type=int, default=20, help="review's --limit (default 20)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each command; the median is printed")
    ap.add_argument("--code", type=Path, help="another checkout to time and compare with")
    ap.add_argument("--out", type=Path, help="a directory to keep the outputs in")
    args = ap.parse_args()
    config = args.store.resolve()
    codes = [("this", ROOT)] + ([("other", args.code.resolve())] if args.code else [])
    commands = []
    for since in [None, *args.since]:
        window = [] if since is None else ["--since", since]
        for form in (["--json"], []):
            commands.append(["review", *window, "--limit", str(args.limit), *form])
    commands.append(["status", "--json"])
    differ = 0
    for command in commands:
        outputs = {}
        line = f"monitor {' '.join(command):<48}"
        for name, code in codes:
            runs = [run(code, config, command) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            outputs[name] = runs[-1][2]
            line += f"  {name}: {wall:6.2f} s {rss / 1024:7.0f} MB"
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{name}-{'_'.join(command).replace('-', '')}.out").write_bytes(runs[-1][2])
        if len(outputs) == 2:
            same = comparable(command, outputs["this"]) == comparable(command, outputs["other"])
            differ += not same
            line += "  same output" if same else "  OUTPUTS DIFFER"
        print(line, flush=True)
    if differ:
        raise SystemExit(f"{differ} commands' outputs differ between the two checkouts")


if __name__ == "__main__":
    main()
