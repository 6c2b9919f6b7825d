"""Precision, recall and F1 per label and overall, for a labels file in the dev.jsonl format.

Overall figures follow the targets: education relevance F1, topic micro-F1 (over education items as
labelled), tone macro-F1 on education items, hot recall/precision, scope accuracy. Each comes with a 95%
bootstrap interval (the items resampled with replacement, seeded): on a few hundred labelled items a
figure moves by several hundredths with the luck of the draw, and a target met or missed by less than
that is neither.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from classifiers.types import SCOPES, SENTIMENTS, ArticleText
from monitor.errors import InputError

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
CORPUS_DIR = SHARED_DIR / "corpus"


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


LABEL_FIELDS_HINT = ("mỗi dòng một đối tượng JSON, bắt buộc có id và is_education (true hoặc false), không bắt buộc: "
                     "topics (danh sách mã chủ đề), sentiment, hot (true hoặc false), scope, và văn bản của bài (title, "
                     "sapo, body); ví dụ {\"id\": \"l7\", \"is_education\": true, \"topics\": [\"tuyen-sinh\"], "
                     "\"title\": \"...\"}")
SHOWN_PROBLEMS = 20  # bad lines named in one refusal: past that the file is likely not a labels file at all


def read_labels(path: Path, required: tuple[str, ...] = ("id", "is_education")) -> list[dict]:
    """One JSON object per line; each must hold the `required` fields (a second reading may need only an id). Every
    bad line is named in one InputError (up to SHOWN_PROBLEMS of them), so a file is mended in one pass."""
    from monitor.jsonl import json_problem, unreadable

    rows, problems = [], []
    try:
        raw_lines = Path(path).read_bytes().splitlines()
    except OSError as exc:
        raise InputError(f"không đọc được tệp nhãn {path}: {unreadable(exc)}",
                         hint="đưa vào --labels đường dẫn tới một tệp JSONL") from None
    for n, raw in enumerate(raw_lines, 1):
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"dòng {n}: không phải văn bản UTF-8 (byte {raw[exc.start]:#04x} ở cột {exc.start + 1}); "
                            "lưu tệp dưới dạng văn bản UTF-8")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"dòng {n}: không phải JSON hợp lệ: {json_problem(exc)}")
            continue
        if not isinstance(obj, dict):
            kind = {list: "một danh sách", str: "một chuỗi", bool: "true hoặc false", type(None): "null"}.get(
                type(obj), "một số")
            problems.append(f"dòng {n}: là {kind} JSON, không phải một đối tượng có {' và '.join(required)}")
            continue
        wrong = label_problems(obj, required)
        if wrong:
            problems.append(f"dòng {n}: " + "; ".join(wrong))
        else:
            rows.append(obj)
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise InputError(f"tệp nhãn {path} có {len(problems)} dòng sai:\n"
                         + "\n".join(f"  - {p}" for p in problems[:SHOWN_PROBLEMS])
                         + (f"\n  - … và {more} dòng sai khác" if more > 0 else ""), hint=LABEL_FIELDS_HINT)
    return rows


def label_problems(obj: dict, required: tuple[str, ...] = ("id", "is_education")) -> list[str]:
    """What is wrong with one labelled row, each in a few words: a field it must have, or a value that would be
    scored wrongly without a word (a misspelt value would read as the model's mistake, not the label's)."""
    out = [f"thiếu {f}" + (" (true hoặc false)" if f in ("is_education", "hot") else "")
           for f in required if f not in obj or obj[f] is None]
    for field in ("is_education", "hot"):
        # "maybe", "no" or 1 would be counted as a truth value without a word (a non-empty string is true)
        if obj.get(field) is not None and not isinstance(obj[field], bool):
            out.append(f"{field} là {obj[field]!r}; ghi true hoặc false (JSON, không đặt trong dấu ngoặc kép)")
    for field, allowed in (("sentiment", SENTIMENTS), ("scope", SCOPES)):
        if obj.get(field) is not None and obj[field] not in allowed:
            out.append(f"{field} là {obj[field]!r}; ghi một trong các giá trị {', '.join(allowed)}")
    topics = obj.get("topics")
    if topics is not None and not (isinstance(topics, list) and all(isinstance(t, str) for t in topics)):
        out.append(f"topics là {topics!r}; ghi một danh sách mã chủ đề, ví dụ [\"tuyen-sinh\"]")
    return out


def attach_text(rows: list[dict], corpus_dir: Path = CORPUS_DIR) -> list[dict]:
    """Fill title/sapo/body from the corpus for rows without a title (a row's own fields win). The rows that carry
    no text at all need it: those the corpus cannot give are named in one InputError, whether the corpus is missing
    altogether or only these ids are not in it. A row with a sapo or body is read as it is when the corpus has
    nothing to add (as `monitor classify` reads an item without a headline)."""
    def has_text(r: dict) -> bool:
        return any(isinstance(r.get(k), str) and r[k].strip() for k in ("title", "sapo", "body"))

    untitled = [r["id"] for r in rows if not r.get("title")]
    if not untitled:
        return rows
    if not Path(corpus_dir).is_dir():
        needed = [r["id"] for r in rows if not has_text(r)]
        if needed:
            raise InputError(f"{_count_ids(needed)} không kèm văn bản (title, sapo hoặc body): {_ids(needed)}; và không "
                             f"có kho ngữ liệu dùng chung ở {corpus_dir} để tra văn bản theo id",
                             hint="ghi title (hoặc sapo, body) ngay trong các dòng đó, hoặc chỉ ra kho ngữ liệu bằng "
                                  "--corpus DIR (mặc định: ../shared/corpus, bên cạnh thư mục dự án)")
        return rows
    from classifiers.corpus import lookup

    found = lookup({str(i) for i in untitled}, corpus_dir)
    lost = [r["id"] for r in rows if not has_text(r) and str(r["id"]) not in found]
    if lost:
        raise InputError(f"{_count_ids(lost)} không kèm văn bản (title, sapo hoặc body) và không có trong {corpus_dir}: "
                         f"{_ids(lost)}", hint="ghi title (hoặc sapo, body) ngay trong các dòng đó, hoặc chỉ ra bằng "
                                               "--corpus DIR kho ngữ liệu có các bài này")
    return [{**found[str(r["id"])], **{k: v for k, v in r.items() if v not in (None, "")}} if str(r["id"]) in found else r
            for r in rows]


def _count_ids(ids: list) -> str:
    return f"{len(ids)} dòng nhãn" if len(ids) > 1 else "dòng nhãn"


def _ids(ids: list) -> str:
    """The ids of the rows named, up to SHOWN_PROBLEMS of them."""
    shown = ", ".join(str(i) for i in ids[:SHOWN_PROBLEMS])
    return "id " + shown + (f" … và {len(ids) - SHOWN_PROBLEMS} id khác" if len(ids) > SHOWN_PROBLEMS else "")


def stated(g: dict, field: str):
    """What a labelled row says of `field`, None when it does not say: an office's or a second reading's labels may
    state only some fields, and a field not stated is left out of that field's figures rather than counted wrong.
    An item labelled not education has no topic and is no hot issue, whether or not the row says so."""
    value = g.get(field)
    if value is None and not g["is_education"] and field in ("topics", "hot"):
        return [] if field == "topics" else False
    return value


def evaluate(gold: list[dict], predicted: list) -> dict:
    """`predicted` are Classification objects aligned with `gold`; each figure counts the items whose label states
    its field (`stated`); `res["stated"]` says how many those are when some rows leave a field out."""
    res: dict = {"n": len(gold)}
    counts = {f: sum(1 for g in gold if stated(g, f) is not None and (g["is_education"] or f in ("hot", "scope")))
              for f in ("topics", "sentiment", "hot", "scope")}
    if any(n < (len(gold) if f in ("hot", "scope") else sum(1 for g in gold if g["is_education"]))
           for f, n in counts.items()):
        res["stated"] = counts
    tp = fp = fn = 0
    for g, p in zip(gold, predicted):
        tp += g["is_education"] and p.is_education
        fp += (not g["is_education"]) and p.is_education
        fn += g["is_education"] and not p.is_education
    res["education"] = prf(tp, fp, fn)

    topic_ids = sorted({t for g in gold for t in g.get("topics") or []} | {t for p in predicted for t in p.topics})
    per_topic = {}
    TP = FP = FN = 0
    for t in topic_ids:
        a = b = c = 0
        for g, p in zip(gold, predicted):
            if not g["is_education"] or stated(g, "topics") is None:
                continue
            gs, ps = t in g["topics"], t in p.topics
            a += gs and ps
            b += ps and not gs
            c += gs and not ps
        per_topic[t] = prf(a, b, c)
        TP, FP, FN = TP + a, FP + b, FN + c
    res["topics"] = per_topic
    res["topic_micro"] = prf(TP, FP, FN)

    edu = [(g, p) for g, p in zip(gold, predicted) if g["is_education"] and stated(g, "sentiment") is not None]
    per_tone = {}
    for s in SENTIMENTS:
        a = sum(1 for g, p in edu if g["sentiment"] == s and p.sentiment == s)
        b = sum(1 for g, p in edu if g["sentiment"] != s and p.sentiment == s)
        c = sum(1 for g, p in edu if g["sentiment"] == s and p.sentiment != s)
        per_tone[s] = prf(a, b, c)
    res["sentiment"] = per_tone
    res["tone_macro_f1"] = round(sum(v["f1"] for v in per_tone.values()) / len(SENTIMENTS), 4)
    res["tone_accuracy"] = round(sum(1 for g, p in edu if g["sentiment"] == p.sentiment) / len(edu), 4) if edu else 0.0

    hot = [(bool(stated(g, "hot")), p) for g, p in zip(gold, predicted) if stated(g, "hot") is not None]
    a = sum(1 for g, p in hot if g and p.hot)
    b = sum(1 for g, p in hot if not g and p.hot)
    c = sum(1 for g, p in hot if g and not p.hot)
    res["hot"] = prf(a, b, c)

    scoped = [(g["scope"], p) for g, p in zip(gold, predicted) if stated(g, "scope") is not None]
    per_scope = {}
    for s in SCOPES:
        a = sum(1 for g, p in scoped if g == s and p.scope == s)
        b = sum(1 for g, p in scoped if g != s and p.scope == s)
        c = sum(1 for g, p in scoped if g == s and p.scope != s)
        per_scope[s] = prf(a, b, c)
    res["scope"] = per_scope
    res["scope_accuracy"] = round(sum(1 for g, p in scoped if g == p.scope) / len(scoped), 4) if scoped else 0.0
    return res


BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20221  # fixed: the same labels and predictions always print the same interval


def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(2 * tp / (2 * tp + fp + fn))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(num / den)


def intervals(gold: list[dict], predicted: list, *, resamples: int = BOOTSTRAP_RESAMPLES,
              seed: int = BOOTSTRAP_SEED) -> dict[str, list[float]]:
    """95% percentile-bootstrap intervals of the headline figures `evaluate` reports, counted the same way."""
    if not gold:
        return {}
    samples = bootstrap_samples(gold, predicted, resample_weights(len(gold), resamples, seed))
    return {k: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)] for k, v in samples.items()}


def resample_weights(n: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """How often each of n items is drawn in each resample (resamples x n)."""
    return np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)


def bootstrap_samples(gold: list[dict], predicted: list, weights: np.ndarray) -> dict[str, np.ndarray]:
    """The headline figures on each resample of `weights`. Two classifiers' outputs scored with the same weights
    give a paired interval of their difference (bench/body_lead.py), narrower than comparing two intervals."""
    n = len(gold)

    def counts(*per_item) -> list[np.ndarray]:
        return [weights @ np.asarray(x, np.float64) for x in per_item]

    g_edu = np.array([bool(g["is_education"]) for g in gold])
    p_edu = np.array([p.is_education for p in predicted])
    out = {"education_f1": _f1(*counts(g_edu & p_edu, ~g_edu & p_edu, g_edu & ~p_edu))}
    topic = np.array([(len(gs & ps), len(ps - gs), len(gs - ps)) if g["is_education"] and stated(g, "topics") is not None
                      else (0, 0, 0) for g, p in zip(gold, predicted)
                      for gs, ps in [(set(g.get("topics") or []), set(p.topics))]]).reshape(n, 3)
    out["topic_micro_f1"] = _f1(*counts(topic[:, 0], topic[:, 1], topic[:, 2]))
    tone = []
    for s in SENTIMENTS:
        gs = np.array([bool(g["is_education"]) and g.get("sentiment") == s for g in gold])
        ps = np.array([bool(g["is_education"]) and g.get("sentiment") is not None and p.sentiment == s
                       for g, p in zip(gold, predicted)])
        tone.append(_f1(*counts(gs & ps, ~gs & ps, gs & ~ps)))
    out["tone_macro_f1"] = sum(tone) / len(SENTIMENTS)
    known = np.array([stated(g, "hot") is not None for g in gold])
    g_hot = np.array([bool(stated(g, "hot")) for g in gold])
    p_hot = np.array([p.hot for p in predicted]) & known
    tp, fp, fn = counts(g_hot & p_hot, ~g_hot & p_hot, g_hot & ~p_hot)
    out["hot_recall"], out["hot_precision"] = _ratio(tp, tp + fn), _ratio(tp, tp + fp)
    scoped = np.array([stated(g, "scope") is not None for g in gold])
    out["scope_accuracy"] = _ratio(counts([g.get("scope") == p.scope for g, p in zip(gold, predicted)])[0], counts(scoped)[0])
    return out


def disagreements(gold: list[dict], predicted: list) -> list[dict]:
    """Per item, where the model and the labels part, counted as `evaluate` counts them (topics and tone only
    on items labelled education): what an analyst reads to decide whether to fix a rule, a label or nothing."""
    out = []
    for g, p in zip(gold, predicted):
        found: dict = {}
        if bool(g["is_education"]) != p.is_education:
            found["education"] = {"label": bool(g["is_education"]), "model": p.is_education, "score": round(p.relevance, 3)}
        if g["is_education"]:
            gt, pt = set(g.get("topics") or []), set(p.topics)
            if stated(g, "topics") is not None and gt != pt:
                found["topics"] = {"missed": sorted(gt - pt), "extra": sorted(pt - gt)}
            if g.get("sentiment") and g["sentiment"] != p.sentiment:
                found["tone"] = {"label": g["sentiment"], "model": p.sentiment}
        if stated(g, "hot") is not None and bool(stated(g, "hot")) != p.hot:
            found["hot"] = {"label": bool(stated(g, "hot")), "model": p.hot, "score": round(p.hot_score, 3)}
        if g.get("scope") and g["scope"] != p.scope:
            found["scope"] = {"label": g["scope"], "model": p.scope}
        if found:
            text = g.get("title") or g.get("sapo") or g.get("body") or ""
            out.append({"id": str(g["id"]), "title": " ".join(text.split())[:90], **found})
    return out


def error_lines(errors: list[dict]) -> list[str]:
    """The list `monitor evaluate --errors` prints, in the analyst's words; label values and topic ids as the labels
    file writes them."""
    lines = [f"số bài mô hình khác với nhãn: {len(errors)}"]
    for e in errors:
        parts = []
        if "education" in e:
            x = e["education"]
            parts.append(f"giáo dục: {'bỏ sót' if x['label'] else 'báo nhầm'} ({x['score']:.2f})")
        if "topics" in e:
            x = e["topics"]
            parts.append("chủ đề:" + (f" thiếu {', '.join(x['missed'])}" if x["missed"] else "")
                         + ("," if x["missed"] and x["extra"] else "")
                         + (f" thừa {', '.join(x['extra'])}" if x["extra"] else ""))
        if "tone" in e:
            parts.append(f"sắc thái: nhãn {e['tone']['label']}, mô hình {e['tone']['model']}")
        if "hot" in e:
            x = e["hot"]
            parts.append(f"nóng: {'bỏ sót' if x['label'] else 'báo nhầm'} ({x['score']:.2f})")
        if "scope" in e:
            parts.append(f"phạm vi: nhãn {e['scope']['label']}, mô hình {e['scope']['model']}")
        lines.append(f"  {e['id']}  {e['title']}")
        lines.append(f"      {'; '.join(parts)}")
    return lines


def article_texts(rows: list[dict]) -> list[ArticleText]:
    """Labelled rows (with their text attached) as the classifier's input."""
    return [ArticleText(id=str(r["id"]), title=r.get("title") or "", sapo=r.get("sapo") or "", body=r.get("body") or "",
                        url=r.get("url") or "", outlet=r.get("outlet") or "") for r in rows]


def evaluate_file(classifier, labels_path: Path, corpus_dir: Path = CORPUS_DIR, *, errors: bool = False) -> dict:
    rows = read_labels(labels_path)
    if not rows:
        # figures of nothing are zeros that read as a model that finds nothing
        raise InputError(f"{labels_path} không có nhãn nào (mọi dòng đều trống)",
                         hint="đưa vào --labels đường dẫn tới một tệp JSONL các bài đã gắn nhãn, mỗi dòng một đối "
                              "tượng JSON, ví dụ ../shared/labels/dev.jsonl")
    rows = attach_text(rows, corpus_dir)
    return evaluate_rows(classifier, rows, errors=errors) | {"labels_file": str(labels_path)}


def evaluate_rows(classifier, rows: list[dict], *, errors: bool = False) -> dict:
    """The figures of `classifier` on labelled rows that carry their text."""
    predicted = classifier.classify_many(article_texts(rows))
    res = evaluate(rows, predicted)
    res["intervals"] = intervals(rows, predicted)
    if errors:
        res["errors"] = disagreements(rows, predicted)
    res["model_version"] = classifier.version
    return res


SUMMARY_PARTS = ("education", "topics", "tone", "hot", "scope")


# the words of summary_lines: "vi" for the office (`monitor evaluate`, `monitor train`), "en" for the model card and
# the developers' scripts; the metric names P, R, F1, micro, macro-F1 and the label values are the same in both
SUMMARY_WORDS = {
    "en": {"education": "education", "topics": "topics", "tone": "tone", "hot": "hot", "scope": "scope",
           "accuracy": "accuracy", "education items": "education items", "items": "items", "model": "model",
           "interval": "95% bootstrap interval",
           "stated": "labels state only some fields; counted where stated"},
    "vi": {"education": "giáo dục", "topics": "chủ đề", "tone": "sắc thái", "hot": "nóng", "scope": "phạm vi",
           "accuracy": "tỷ lệ đúng", "education items": "bài giáo dục", "items": "số bài", "model": "mô hình",
           "interval": "khoảng tin cậy 95%, bootstrap",
           "stated": "nhãn chỉ ghi một số trường; mỗi chỉ số chỉ tính các bài có ghi trường đó"},
}


def summary_lines(res: dict, parts: tuple[str, ...] = SUMMARY_PARTS, *, lang: str = "en") -> list[str]:
    """The report `monitor evaluate` prints (lang="vi"; SUMMARY_WORDS); `parts` keeps only some of its blocks."""
    e, tm, h = res["education"], res["topic_micro"], res["hot"]
    ci = res.get("intervals") or {}
    w = SUMMARY_WORDS[lang]

    def within(key: str) -> str:
        """' [lo–hi]' when the metrics carry a bootstrap interval for `key` (older model cards do not)."""
        return f" [{ci[key][0]:.3f}–{ci[key][1]:.3f}]" if key in ci else ""

    def head(part: str) -> str:
        return f"{w[part]:<12}"  # precomposed Vietnamese letters are one character each: the columns stay aligned

    def per_label(scores: dict) -> list[str]:
        return [f"  {k:<22} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  (n={v['support']})"
                for k, v in scores.items()]

    blocks = {
        "education": [f"{head('education')}P {e['precision']:.3f}  R {e['recall']:.3f}  F1 {e['f1']:.3f}"
                      f"{within('education_f1')}  (n={e['support']})"],
        "topics": [f"{head('topics')}micro P {tm['precision']:.3f}  R {tm['recall']:.3f}  F1 {tm['f1']:.3f}"
                   f"{within('topic_micro_f1')}  (n={tm['support']})"] + per_label(res["topics"]),
        "tone": [f"{head('tone')}macro-F1 {res['tone_macro_f1']:.3f}{within('tone_macro_f1')}  {w['accuracy']} "
                 f"{res['tone_accuracy']:.3f} ({w['education items']})"] + per_label(res["sentiment"]),
        "hot": [f"{head('hot')}P {h['precision']:.3f}{within('hot_precision')}  R {h['recall']:.3f}{within('hot_recall')}"
                f"  F1 {h['f1']:.3f}  (n={h['support']})"],
        "scope": [f"{head('scope')}{w['accuracy']} {res['scope_accuracy']:.3f}{within('scope_accuracy')}"]
                 + per_label(res["scope"]),
    }
    top = f"{w['items']}: {res['n']}   {w['model']}: {res.get('model_version', '?')}"
    if ci:
        top += f"   [{w['interval']}]"
    lines = [top]
    if res.get("stated"):
        st = res["stated"]
        lines.append(f"{w['stated']}: {w['topics']} {st['topics']}, {w['tone']} {st['sentiment']} "
                     f"({w['education items']}), {w['hot']} {st['hot']}, {w['scope']} {st['scope']}")
    return lines + [line for part in SUMMARY_PARTS if part in parts for line in blocks[part]]


def hot_sign_scores(rows: list[dict], predicted: list, ids: list[str]) -> dict:
    """How right the hot signs (`Classification.hot_categories`) of the items called hot are against hand-read
    `categories` (data/signs/hot-categories.jsonl; bench/hot_signs.py): per category tp/fp/fn with precision and
    recall, micro over categories, and over items the counts signed by the model alone, with every sign wrong and
    with the first sign right. An item not called hot shows no signs and is counted as `missed` only."""
    per = {h: [0, 0, 0] for h in ids}
    called = model_alone = all_wrong = first_right = 0
    errors = []
    for r, c in zip(rows, predicted):
        if not c.hot:
            continue
        called += 1
        truth, signs = set(r["categories"]), [h.id for h in c.hot_categories or ()]
        for h in ids:
            if h in signs or h in truth:
                per[h][0 if h in signs and h in truth else 1 if h in signs else 2] += 1
        model_alone += not signs
        all_wrong += bool(signs) and not truth & set(signs)
        first_right += bool(signs) and signs[0] in truth
        if set(signs) != truth:
            errors.append({"id": r["id"], "truth": sorted(truth), "signs": signs, "note": r.get("note", "")})
    totals = [sum(n[i] for n in per.values()) for i in range(3)]
    return {"items": len(rows), "called_hot": called, "missed": len(rows) - called,
            "categories": {h: {"tp": n[0], "fp": n[1], "fn": n[2], **prf(*n)} for h, n in per.items()},
            "micro": {"tp": totals[0], "fp": totals[1], "fn": totals[2], **prf(*totals)},
            "model_alone": model_alone, "all_wrong": all_wrong, "first_right": first_right, "errors": errors}
