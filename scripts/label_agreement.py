"""How far two readings of the same items agree, scored as if the second were a model's predictions.

    python scripts/label_agreement.py ../shared/labels/dev.jsonl data/agreement/dev-blind.jsonl
    python scripts/label_agreement.py data/labels/day-*.jsonl data/agreement/days-hot-blind.jsonl

It answers "how well could a model trained on our labels score on the reference set at best?": the last
file holds our labellers' own reading of the reference items (one or more files), made without seeing the
reference labels. Metrics are those of `monitor evaluate` (classifiers.evaluate), over the items both hold.
A second reading may cover only some fields (e.g. `days-hot-blind.jsonl` re-read `hot` alone): the other
fields are then taken from the reference and only the fields read twice are reported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.evaluate import evaluate, read_labels, summary_lines  # noqa: E402

FIELDS = ("is_education", "topics", "sentiment", "hot", "scope")
# the block of classifiers.evaluate.summary_lines that reports each field
SUMMARY_PART = {"is_education": "education", "topics": "topics", "sentiment": "tone", "hot": "hot", "scope": "scope"}


def read_reading(path: Path) -> list[dict]:
    """A second reading: one JSON object per line with `id` and at least one of FIELDS."""
    rows = read_labels(path, required=("id",))
    for n, row in enumerate(rows, 1):
        if not any(f in row for f in FIELDS):
            raise SystemExit(f"{path} row {n}: needs an id and at least one of {', '.join(FIELDS)}")
    return rows


def fields_read(rows: list[dict]) -> tuple[str, ...]:
    """The label fields a reading holds (a second reading may re-read only some)."""
    return tuple(f for f in FIELDS if any(f in r for r in rows))


def agreement(reference: list[dict], other: list[dict]) -> dict:
    by_id = {str(r["id"]): r for r in other}
    pairs = [(r, by_id[str(r["id"])]) for r in reference if str(r["id"]) in by_id]
    if not pairs:
        raise SystemExit("the two readings share no ids: nothing to compare")
    as_predictions = [SimpleNamespace(**{k: o[k] if k in o else r.get(k) for k in FIELDS}) for r, o in pairs]
    for p in as_predictions:
        p.topics = p.topics or []
    res = evaluate([r for r, _ in pairs], as_predictions)
    res["only_in_reference"] = len(reference) - len(pairs)
    res["fields"] = fields_read(other)
    return res


def main(argv: list[str]) -> int:
    if len(argv) < 2 or "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    reference = [r for path in argv[:-1] for r in read_labels(Path(path))]
    res = agreement(reference, read_reading(Path(argv[-1])))
    res["model_version"] = f"labels {argv[-1]}"
    print("\n".join(summary_lines(res, tuple(SUMMARY_PART[f] for f in res["fields"]))))
    if res["only_in_reference"]:
        print(f"({res['only_in_reference']} reference item(s) not in {argv[-1]}, left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
