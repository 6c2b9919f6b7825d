"""MODEL_CARD.md from a bundle's metadata (written by `monitor train`, numbers as measured)."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.evaluate import summary_lines


def write_card(bundle: Path, meta: dict) -> Path:
    lib = meta.get("libraries", {})
    lines = [
        f"# Model card: {meta.get('name')} ({meta.get('weights_sha256', '')[:10]})",
        "",
        "Education relevance, plan topics, tone and hot-issue flags for Vietnamese news (title, sapo, body).",
        "Rules (`classifiers/topics.yaml`) give evidence and reasons; linear models (scikit-learn logistic",
        "regression on hashed syllable 1–2-grams with tf-idf, plus the rule-evidence vector) give the scores.",
        "Rebuild with `monitor train`; check with `monitor evaluate --labels ../shared/labels/dev.jsonl`.",
        "",
        "## Build",
        f"- trained: {meta.get('trained_at')} in {meta.get('train_seconds')} s, seed {meta.get('seed')}",
        f"- python {lib.get('python')}, scikit-learn {lib.get('scikit-learn')}, numpy {lib.get('numpy')}, "
        f"scipy {lib.get('scipy')}, underthesea {lib.get('underthesea')}",
        f"- rules file: {meta.get('rules_file')} sha256 {meta.get('rules_sha256')}",
        f"- features: {json.dumps(meta.get('feature_config'), ensure_ascii=False)}",
        "",
        "## Training data (text joined by id from ../shared/corpus at training time; never stored here)",
    ]
    for src, n in sorted(meta.get("training_sources", {}).items()):
        lines.append(f"- {src}: {n}")
    lines.append("")
    lines.append("Label files (sha256):")
    for f, h in sorted(meta.get("label_files", {}).items()):
        lines.append(f"- {f}: {h}")
    lines += ["", "## Thresholds (chosen by 5-fold cross-validation on the hand labels, not on dev)", "",
              "```", json.dumps(meta.get("cross_validation", {}), ensure_ascii=False, indent=1), "```", ""]
    if "dev_metrics" in meta:
        lines += [f"## Metrics on {meta.get('dev_file')} (sha256 {meta.get('dev_sha256', '')[:16]}…; never used for tuning)", "",
                  "```", *summary_lines(meta["dev_metrics"]), "```", ""]
    extra = bundle / "MEASUREMENTS.md"
    if extra.exists():
        lines += [extra.read_text(encoding="utf-8").strip(), ""]
    lines += ["## Limits",
              "- Training labels come from outlet sections (noisy, ~10–20% in the Báo Mới folder) and ~1,800 hand labels;",
              "  rare topics (fewer than 8 hand-labelled examples) are scored by the rules alone.",
              "- Tone is the tone toward the education sector; sarcasm and mixed stories are often neutral.",
              "- Scope is rule-based (office district, wards, watchlist, city districts, foreign names)."]
    path = bundle / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
