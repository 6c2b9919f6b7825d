"""NLP commands: classify a JSONL file, evaluate on labels, train the models, dry-run edited rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli import cli
from monitor.errors import InputError, MonitorError

BATCH = 512


def _office_for_classify(ctx: click.Context):
    """The office from feeds.yaml when it is there; `monitor classify` must also work without one."""
    from monitor.config import Office, load_config

    path = Path(ctx.find_root().obj["config_path"])
    if path.exists():
        return load_config(path).office
    return Office(name="Phòng Giáo dục và Đào tạo quận Long Biên", short_name="Phòng GD&ĐT quận Long Biên",
                  district="Long Biên", city="Hà Nội")


def _models_dir(ctx: click.Context, models: str | None) -> Path | None:
    if models:
        return Path(models)
    from monitor.config import load_config

    path = Path(ctx.find_root().obj["config_path"])
    return load_config(path).storage.models_dir if path.exists() else None


def _read_article(line: str, lineno: int):
    """-> (ArticleText | None, id or None, error or None)"""
    from classifiers.types import ArticleText

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"line {lineno}: not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(obj, dict):
        return None, None, f"line {lineno}: expected a JSON object with id and title"
    aid = obj.get("id")
    aid = str(aid) if isinstance(aid, (str, int)) and not isinstance(aid, bool) and str(aid) else None
    if aid is None:
        return None, None, f"line {lineno}: missing id"
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        return None, aid, f"line {lineno}: missing title (a non-empty string is required)"
    fields = {}
    for key in ("sapo", "body", "url", "outlet", "published"):
        v = obj.get(key, "")
        if v is None:
            v = ""
        if not isinstance(v, str):
            return None, aid, f"line {lineno}: {key} must be a string"
        fields[key] = v
    return ArticleText(id=aid, title=title, **fields), aid, None


@cli.command()
@click.option("--input", "-i", "input_path", required=True, type=click.Path(dir_okay=False),
              help="JSONL, one article a line: id and title required; sapo, body, url, outlet, published optional ('-' = stdin).")
@click.option("--output", "-o", "output_path", required=True, type=click.Path(dir_okay=False),
              help="JSONL written in the same order, one line per input line ('-' = stdout).")
@click.option("--models", "models", type=click.Path(file_okay=False), help="Folder of trained models (default: storage.models_dir).")
@click.pass_context
def classify(ctx: click.Context, input_path: str, output_path: str, models: str | None) -> None:
    """Classify articles from a JSONL file (no database needed).

    Each output line has id, is_education, relevance, topics, topic_scores, sentiment, hot, hot_score,
    scope, reasons and model_version. A malformed input line gives a line with id (when readable) and
    error; the rest is still classified and the exit status is 1 at the end.

    \b
    Example:
      monitor classify --input articles.jsonl --output classified.jsonl
    """
    from classifiers.classify import load_classifier

    clf = load_classifier(_models_dir(ctx, models), _office_for_classify(ctx))
    try:
        src = click.open_file(input_path, "r", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {input_path}: {exc.strerror or exc}", hint="pass an existing JSONL file to --input") from None
    errors = 0
    done = 0
    try:
        dst = click.open_file(output_path, "w", encoding="utf-8", atomic=output_path != "-")
    except OSError as exc:
        raise InputError(f"cannot write {output_path}: {exc.strerror or exc}", hint="choose a writable --output path") from None
    with src, dst:
        pending: list = []  # (article or None, record for errors)

        def flush() -> None:
            nonlocal done
            articles = [p[0] for p in pending if p[0] is not None]
            results = iter(clf.classify_many(articles))
            for article, err in pending:
                rec = next(results).to_contract() if article is not None else err
                dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
            done += len(articles)
            pending.clear()

        for lineno, line in enumerate(src, 1):
            if not line.strip():
                continue
            article, aid, err = _read_article(line, lineno)
            if err:
                errors += 1
                rec = {"id": aid, "error": err} if aid is not None else {"error": err}
                pending.append((None, rec))
            else:
                pending.append((article, None))
            if len(pending) >= BATCH:
                flush()
        flush()
    click.echo(f"classified {done} article(s) with {clf.version}" + (f"; {errors} malformed line(s)" if errors else ""), err=True)
    if errors:
        ctx.exit(1)
