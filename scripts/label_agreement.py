"""How far two label files for the same items agree, scored as if the second were a model's predictions.

    python scripts/label_agreement.py ../shared/labels/dev.jsonl data/agreement/dev-blind.jsonl

It answers "how well could a model trained on our labels score on the reference set at best?": the second
file holds our labellers' own reading of the reference items, made without seeing the reference labels.
Metrics are those of `monitor evaluate` (classifiers.evaluate), over the items both files hold.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.evaluate import evaluate, read_labels, summary_lines  # noqa: E402

FIELDS = ("is_education", "topics", "sentiment", "hot", "scope")


def agreement(reference: list[dict], other: list[dict]) -> dict:
    by_id = {str(r["id"]): r for r in other}
    pairs = [(r, by_id[str(r["id"])]) for r in reference if str(r["id"]) in by_id]
    if not pairs:
        raise SystemExit("the two files share no ids: nothing to compare")
    as_predictions = [SimpleNamespace(**{k: o.get(k) for k in FIELDS}) for _, o in pairs]
    for p in as_predictions:
        p.topics = p.topics or []
    res = evaluate([r for r, _ in pairs], as_predictions)
    res["only_in_reference"] = len(reference) - len(pairs)
    return res


def main(argv: list[str]) -> int:
    if len(argv) != 2 or "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    res = agreement(read_labels(Path(argv[0])), read_labels(Path(argv[1])))
    res["model_version"] = f"labels {argv[1]}"
    print("\n".join(summary_lines(res)))
    if res["only_in_reference"]:
        print(f"({res['only_in_reference']} reference item(s) not in {argv[1]}, left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
