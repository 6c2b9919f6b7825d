"""MODEL_CARD.md from a bundle's metadata (written by `monitor train`, numbers as measured)."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.classify import (INCIDENT_HOT_FLOOR, INCIDENT_RELEVANCE_FLOOR, VICTIM_HOT_FLOOR,
                                  VICTIM_RELEVANCE_FLOOR)
from classifiers.evaluate import summary_lines


def write_card(bundle: Path, meta: dict, *, notes_from: Path | None = None) -> Path:
    """MODEL_CARD.md of `bundle`, with the notes of hand-run measurements kept in `notes_from` (default: the bundle)."""
    lib = meta.get("libraries", {})
    lines = [
        f"# Model card: {meta.get('name')} ({meta.get('weights_sha256', '')[:10]})",
        "",
        "Education relevance, plan topics, tone and hot-issue flags for Vietnamese news (title, sapo, body).",
        "Rules (`classifiers/topics.yaml`) give evidence and reasons; linear models (scikit-learn logistic",
        "regression on tf-idf syllable 1–2-grams, the rule-evidence vector and 256 LSA dimensions) give calibrated scores;",
        "for topics and hot, the 10 most similar hand-labelled education articles vote as well (`classifiers/neighbours.py`),",
        "and for relevance, where the linear score is unsure, the 10 most similar hand-labelled articles of any kind.",
        "Rebuild with `monitor train` (with `--exclude` for each label-file glob the mode below names);",
        "check with `monitor evaluate --labels ../shared/labels/dev.jsonl`.",
        "",
        "## Build",
        f"- trained: {meta.get('trained_at')} in {meta.get('train_seconds')} s, seed {meta.get('seed')}",
        f"- mode: {meta.get('mode')}",
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
    cv = meta.get("cross_validation", {})
    lines += ["", f"## Thresholds (chosen on out-of-fold scores of the hand labels, {meta.get('mode', '5-fold CV')}; never on dev)", "",
              "Binary scores are Platt-calibrated on the same out-of-fold predictions (folded into the weights).", "",
              "| head | threshold | cross-validated |", "|---|---|---|"]
    if "relevance" in cv:
        r = cv["relevance"]
        ece = f", calibration error {r['oof_ece']:.3f}" if "oof_ece" in r else ""
        lines.append(f"| education relevance | {r['threshold']:.2f} | F1 {r['oof_f1']:.3f}{ece} |")
        if r.get("neighbour_share"):
            by_share = cv.get("relevance_neighbour_share", {})
            alone = f" (linear score alone: F1 {by_share['0.0']:.3f})" if "0.0" in by_share else ""
            lo, hi = r["neighbour_band"]
            lines.append(f"| relevance: neighbours' share of the logit where the linear score is {lo:.1f}–{hi:.1f} "
                         f"({r['unsure_share']:.0%} of the hand labels) | — | {r['neighbour_share']}{alone} |")
        lines.append(f"| education, for an incident in Viet Nam the hot head is sure of | relevance ≥ {INCIDENT_RELEVANCE_FLOOR:.2f} "
                     f"and hot ≥ {INCIDENT_HOT_FLOOR:.2f} | fixed in `classifiers/classify.py`, chosen on out-of-fold scores "
                     "(ablations, round 6) |")
        lines.append(f"| education, for such an incident whose title names a pupil, a teacher or a class | relevance ≥ "
                     f"{VICTIM_RELEVANCE_FLOOR:.2f} and hot ≥ {VICTIM_HOT_FLOOR:.2f} | fixed in `classifiers/classify.py`, "
                     "chosen on out-of-fold scores (round 19), measured on fresh days (round 20) |")
    for tid, v in cv.get("topics", {}).items():
        if "threshold" in v:
            lines.append(f"| topic {tid} ({v['positives']} examples) | {v['threshold']:.2f} | F1 {v['oof_f1']:.3f} |")
        else:
            lines.append(f"| topic {tid} ({v['positives']} examples) | 0.50 | rules only (too few examples) |")
    if "neighbours" in cv:
        nb = cv["neighbours"]
        lines.append(f"| neighbours' share of the logit ({nb['items']:,} labelled education items, k = {nb['k']}) | — | "
                     f"topics {nb['topic_share']}, hot {nb['hot_share']} |")
    if "topic_micro_f1" in cv:
        lines.append(f"| topics overall | — | micro-F1 {cv['topic_micro_f1']:.3f} |")
    if "tone_macro_f1_edu" in cv:
        lines.append(f"| tone (argmax) | — | macro-F1 {cv['tone_macro_f1_edu']:.3f} on education items |")
    if "hot" in cv:
        h = cv["hot"]
        ece = f", calibration error {h['oof_ece']:.3f}" if "oof_ece" in h else ""
        goal = f"highest with recall ≥ {h['recall_target']:.2f}" if "recall_target" in h else "maximises F2"
        ap = f", average precision {h['oof_average_precision']:.3f}" if "oof_average_precision" in h else ""
        lines.append(f"| hot on education items (threshold: {goal}) | {h['threshold']:.2f} | recall {h['oof_recall']:.3f}, "
                     f"precision {h['oof_precision']:.3f}{ap}{ece} |")
    if "foreign" in cv:
        lines.append(f"| scope: foreign | {cv['foreign']['threshold']:.2f} | F1 {cv['foreign']['oof_f1']:.3f} |")
    lines.append("")
    if "dev_metrics" in meta:
        d = meta["dev_metrics"]
        ci = d.get("intervals") or {}

        def span(*keys: str) -> str:
            return " / ".join(f"{ci[k][0]:.3f}–{ci[k][1]:.3f}" for k in keys) if all(k in ci for k in keys) else "—"

        lines += [f"## Metrics on {meta.get('dev_file')} ({d['n']} items, sha256 {meta.get('dev_sha256', '')[:16]}…; never used for tuning)", "",
                  "| target | goal | measured | 95% bootstrap interval |", "|---|---|---|---|",
                  f"| education relevance F1 | ≥ 0.95 | {d['education']['f1']:.4f} | {span('education_f1')} |",
                  f"| topic micro-F1 | ≥ 0.85 | {d['topic_micro']['f1']:.3f} | {span('topic_micro_f1')} |",
                  f"| hot recall / precision | ≥ 0.95 / ≥ 0.75 | {d['hot']['recall']:.3f} / {d['hot']['precision']:.3f} "
                  f"| {span('hot_recall', 'hot_precision')} |",
                  f"| tone macro-F1 (education items) | ≥ 0.80 | {d['tone_macro_f1']:.3f} | {span('tone_macro_f1')} |",
                  f"| scope accuracy | — | {d['scope_accuracy']:.3f} | {span('scope_accuracy')} |", "",
                  "```", *summary_lines(d), "```", ""]
    for name in ("ABLATIONS.md", "MEASUREMENTS.md"):  # written by hand-run measurements (bench/classify.py)
        extra = (notes_from or bundle) / name
        if extra.exists():
            lines += [extra.read_text(encoding="utf-8").strip(), ""]
    n_hand = sum(n for src, n in meta.get("training_sources", {}).items() if src in ("data/labels", "database labels"))
    lines += ["## Limits",
              f"- Training labels come from outlet sections (noisy, ~10–20% in the Báo Mới folder) and {n_hand:,} hand labels",
              "  (several labellers: topic choice in particular varies between them); rare topics (fewer than 8",
              "  hand-labelled examples) are scored by the rules alone.",
              "- Tone is the tone toward the education sector; sarcasm and mixed stories are often neutral.",
              "- Scope: local and city come from the office's names (feeds.yaml) and topics.yaml; foreign from a model."]
    path = bundle / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
