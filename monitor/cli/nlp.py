"""NLP commands: classify a JSONL file, evaluate on labels, train the models, dry-run edited rules."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from monitor.cli import cli
from monitor.errors import InputError, MonitorError

BATCH = 2048  # articles per classify_many call: the heads are vectorised, so larger batches cost less per item


def _config(ctx: click.Context):
    """feeds.yaml read once per command, or None when there is none: `monitor classify`, `evaluate` and `train`
    also work without one."""
    if "monitor.nlp_config" not in ctx.meta:
        from monitor.config import load_config

        path = Path(ctx.find_root().obj["config_path"])
        ctx.meta["monitor.nlp_config"] = load_config(path) if path.exists() else None
    return ctx.meta["monitor.nlp_config"]


def _office_for_classify(ctx: click.Context):
    """The office from feeds.yaml when it is there, else the plan's own office."""
    from monitor.config import Office

    cfg = _config(ctx)
    if cfg is not None:
        return cfg.office
    return Office(name="Phòng Giáo dục và Đào tạo quận Long Biên", short_name="Phòng GD&ĐT quận Long Biên",
                  district="Long Biên", city="Hà Nội")


def _configured_rules(ctx: click.Context) -> Path | None:
    """The office's own rules file (storage.rules_file) when feeds.yaml is there and names one."""
    cfg = _config(ctx)
    return cfg.storage.rules_file if cfg is not None else None


def _models_dir(ctx: click.Context, models: str | None) -> Path | None:
    if models:
        return Path(models)
    cfg = _config(ctx)
    return cfg.storage.models_dir if cfg is not None else None


def _read_article(raw: bytes, lineno: int):
    """-> (ArticleText | None, id or None, error or None)"""
    from classifiers.types import ArticleText
    from monitor.jsonl import id_text, json_problem, readable_id

    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # the id is still read when it is before the stray byte (a byte in it leaves it unreadable, not guessed)
        return None, _writable(readable_id(raw.decode("utf-8", "surrogateescape"))), (
            f"dòng {lineno}: không phải văn bản UTF-8 (byte 0x{raw[exc.start]:02x} ở vị trí {exc.start + 1}); hãy lưu "
            "tệp dạng UTF-8")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, _writable(readable_id(line)), f"dòng {lineno}: không phải JSON hợp lệ: {json_problem(exc)}"
    if not isinstance(obj, dict):
        return None, None, f"dòng {lineno}: cần một đối tượng JSON có id và title"
    try:  # "\ud800" is valid JSON but no character: it could be neither classified nor written back
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return None, _writable(id_text(obj.get("id"))), (
            f"dòng {lineno}: có mã \\u{ord(exc.object[exc.start]):04x} (nửa cặp surrogate lẻ) không ứng với ký tự nào; "
            "hãy sửa đoạn văn bản đó")
    if "id" not in obj or obj["id"] in (None, ""):
        return None, None, f"dòng {lineno}: thiếu id"
    aid = obj["id"]
    if not isinstance(aid, (str, int)) or isinstance(aid, bool):
        return None, None, f"dòng {lineno}: id phải là chuỗi hoặc số nguyên; ở đây là {aid!r}"
    aid = str(aid)
    title = obj.get("title")
    if not isinstance(title, str):
        return None, aid, f"dòng {lineno}: thiếu title (phải là một chuỗi)"
    fields = {}
    for key in ("sapo", "body", "url", "outlet", "published"):
        v = obj.get(key, "")
        if v is None:
            v = ""
        if not isinstance(v, str):
            return None, aid, f"dòng {lineno}: {key} phải là chuỗi"
        fields[key] = v
    # some outlets' pages and archives carry no headline; the sapo or body is still worth classifying
    if not (title.strip() or fields["sapo"].strip() or fields["body"].strip()):
        return None, aid, f"dòng {lineno}: không có chữ nào (title, sapo và body đều trống)"
    return ArticleText(id=aid, title=title, **fields), aid, None


def _writable(aid: str | None) -> str | None:
    """`aid` when it can be written back as UTF-8: an id holding the line's stray byte or a lone surrogate is not the
    id the file meant, so the error record goes without one."""
    if aid is not None:
        try:
            aid.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return aid


class _Output:
    """The output file, written beside its final name and moved there only when the whole input has been read:
    an interrupted or failed run leaves the previous output as it was (click's atomic files replace it even
    then)."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path == "-":
            self.file, self.tmp = sys.stdout, None
        else:
            target = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent if str(target.parent) else ".")
            self.file, self.tmp = open(fd, "w", encoding="utf-8"), tmp
        self.done = False

    def write(self, text: str) -> None:
        self.file.write(text)

    def complete(self) -> None:
        self.done = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.tmp is None:
            self.file.flush()
            return
        self.file.close()
        if self.done:
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)


@cli.command()
@click.option("--input", "-i", "input_path", required=True, type=click.Path(dir_okay=False),
              help="Tệp JSONL, mỗi dòng một bài: bắt buộc có id và title (title được để trống khi sapo hoặc "
                   "body có chữ); sapo, body, url, outlet, published không bắt buộc; đường dẫn chuyên mục "
                   "(/giao-duc/...) trong URL cũng được tính làm căn cứ ('-' = đầu vào chuẩn, stdin).")
@click.option("--output", "-o", "output_path", required=True, type=click.Path(dir_okay=False),
              help="Tệp JSONL ghi theo đúng thứ tự của đầu vào, mỗi dòng không trống của đầu vào một dòng "
                   "('-' = đầu ra chuẩn, stdout); tệp đã có chỉ bị thay khi lệnh chạy xong trọn vẹn.")
@click.option("--models", "models", type=click.Path(file_okay=False),
              help="Thư mục chứa các mô hình đã huấn luyện (mặc định: storage.models_dir).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình phân loại song song cho đầu vào lớn (mặc định: mỗi lõi CPU một tiến "
                   "trình); 1 = phân loại ngay trong tiến trình này.")
@click.pass_context
def classify(ctx: click.Context, input_path: str, output_path: str, models: str | None, jobs: int | None) -> None:
    """Phân loại các bài trong một tệp JSONL. Không cần cơ sở dữ liệu.

    Mỗi dòng đầu ra có id, is_education, relevance, topics, topic_scores, sentiment, hot, hot_score, scope,
    reasons và model_version. Một bài được tính là tin giáo dục khi điểm liên quan đạt ngưỡng của mô hình; riêng
    một sự cố ở Việt Nam mà mô hình vấn đề nóng đã chắc chắn là nóng (học sinh bị thương ngoài trường học đọc
    giống tin an ninh, trật tự) thì điểm liên quan thấp hơn cũng đủ, và khi đó lý do đầu tiên của bài (reasons)
    nói rõ điều này. Một dòng đầu vào sai định dạng cho ra một dòng có id (nếu đọc được) và error; các dòng còn
    lại vẫn được phân loại, và cuối cùng lệnh thoát với mã 1, nêu số thứ tự các dòng sai. Một id có ở nhiều dòng
    đầu vào thì mỗi dòng vẫn được phân loại, và lệnh nêu id đó cùng các dòng của nó.

    \b
    Ví dụ:
      monitor classify --input articles.jsonl --output classified.jsonl
    """
    from classifiers.classify import load_classifier
    from classifiers.parallel import contract_batches, default_jobs

    clf = load_classifier(_models_dir(ctx, models), _office_for_classify(ctx), fallback=models is None,
                          rules_path=_configured_rules(ctx))
    try:
        src = click.open_file(input_path, "rb")  # bytes: one line that is not UTF-8 is that line's error, not the run's
    except OSError as exc:
        from monitor.jsonl import unreadable

        raise InputError(f"không đọc được {input_path}: {unreadable(exc)}",
                         hint="chỉ ra bằng --input một tệp JSONL có sẵn") from None
    counts = {"done": 0}
    bad_lines: list[int] = []
    first_line: dict[str, int] = {}  # each id written, at its first input line: an id given twice is said
    repeated: dict[str, list[int]] = {}
    try:
        dst = _Output(output_path)
    except OSError as exc:
        # named as the --output given, not the temporary file beside it; a folder that is missing or not ours is
        # exit 3, as for every command's output file (monitor.cli.MonitorGroup), not a usage error
        raise OSError(exc.errno, exc.strerror, output_path) from None

    def batches():
        """(articles, the batch's lines: an article's place or a malformed line's error record)"""
        lines: list = []
        for lineno, line in enumerate(src, 1):
            if lineno == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some editors write
            if not line.strip():
                continue
            article, aid, err = _read_article(line, lineno)
            if aid is not None and first_line.setdefault(aid, lineno) != lineno:
                repeated.setdefault(aid, [first_line[aid]]).append(lineno)
            if err:
                bad_lines.append(lineno)
                lines.append({"id": aid, "error": err} if aid is not None else {"error": err})
            else:
                lines.append(article)
            if len(lines) >= BATCH:
                yield [x for x in lines if not isinstance(x, dict)], lines
                lines = []
        if lines:
            yield [x for x in lines if not isinstance(x, dict)], lines

    with src, dst:
        for records, lines in contract_batches(clf, batches(), jobs or default_jobs()):
            results = iter(records)
            for x in lines:
                dst.write(json.dumps(x if isinstance(x, dict) else next(results), ensure_ascii=False) + "\n")
            counts["done"] += len(records)
        dst.complete()
    click.echo(f"đã phân loại {counts['done']} bài bằng {clf.version}"
               + (f"; {len(bad_lines)} dòng sai định dạng: dòng {_some(bad_lines)} (dòng đầu ra của mỗi dòng này có "
                  "trường error nói lý do)" if bad_lines else ""), err=True)
    if repeated:
        # the output is matched to the input by id: two lines of one id are two answers for one article
        shown = [f"{aid} (dòng {', '.join(map(str, nos[:SHOWN_LINES]))}{', …' if len(nos) > SHOWN_LINES else ''})"
                 for aid, nos in list(repeated.items())[:SHOWN_LINES]]
        more = len(repeated) - len(shown)
        click.echo(f"chú ý: {len(repeated)} id có ở nhiều dòng, nên đầu ra có nhiều dòng cùng id: " + "; ".join(shown)
                   + (f"; … và {more} id khác" if more else ""), err=True)
    if clf.rules_note:
        click.echo(f"chú ý: {clf.rules_note}", err=True)
    if bad_lines:
        ctx.exit(1)


SHOWN_LINES = 10  # line numbers (and repeated ids) named in classify's summary; the output names every one


def _some(numbers: list[int]) -> str:
    """'3, 5, 9' or, past SHOWN_LINES, the first of them and how many more."""
    head = ", ".join(str(n) for n in numbers[:SHOWN_LINES])
    return head + (f" … và {len(numbers) - SHOWN_LINES} dòng khác" if len(numbers) > SHOWN_LINES else "")


@cli.command()
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False),
              help="Tệp JSONL, mỗi dòng một bài đã gắn nhãn: bắt buộc có id và is_education (true hoặc false); "
                   "topics, sentiment, hot, scope không bắt buộc (mỗi chỉ số chỉ tính các dòng có ghi trường đó); "
                   "văn bản của bài (title, sapo, body) ghi ngay trong dòng, hoặc được tra theo id trong kho ngữ "
                   "liệu dùng chung (--corpus).")
@click.option("--corpus", "corpus", type=click.Path(file_okay=False),
              help="Kho ngữ liệu dùng chung để tra văn bản cho các dòng nhãn chỉ có id (mặc định: ../shared/corpus, "
                   "bên cạnh thư mục dự án); chỉ dùng với --labels.")
@click.option("--db-labels", is_flag=True,
              help="Đo trên các nhãn của người phân tích trong cơ sở dữ liệu thay cho tệp nhãn (`monitor "
                   "label`, hồ sơ mở bằng tay hoặc đóng vì cảnh báo nhầm), với văn bản của các bài đã lưu.")
@click.option("--models", "models", type=click.Path(file_okay=False),
              help="Thư mục chứa các mô hình đã huấn luyện (mặc định: storage.models_dir).")
@click.option("--json", "as_json", is_flag=True, help="In toàn bộ các chỉ số dưới dạng JSON.")
@click.option("--errors", is_flag=True,
              help="Liệt kê thêm từng bài mà mô hình khác với nhãn, và khác ở chỗ nào.")
@click.pass_context
def evaluate(ctx: click.Context, labels_path: str | None, corpus: str | None, db_labels: bool, models: str | None,
             as_json: bool, errors: bool) -> None:
    """Đánh giá mô hình so với các nhãn. Tính độ chính xác (P), độ phủ (R) và F1 theo từng nhãn và tính
    chung, so với một tệp nhãn hoặc với các nhãn của chính cơ quan.

    Mọi dòng sai của tệp nhãn được nêu cùng một lúc, trước khi đo. Nhãn của cơ quan chỉ ghi những gì đã được
    sửa, nên mỗi chỉ số chỉ tính các nhãn có ghi trường của nó.
    Mô hình được huấn luyện có dùng các nhãn đó (`monitor train` dùng chúng) thì đã học chúng rồi: số liệu
    đo trên các nhãn ấy không phải số liệu đo trên dữ liệu chưa học, và kết quả có ghi chú điều này.

    \b
    Ví dụ:
      monitor evaluate --labels ../shared/labels/dev.jsonl
      monitor evaluate --labels data/labels/day-2026-04-14.jsonl --errors
      monitor evaluate --db-labels --models models     # mô hình đi kèm, đo trên nhãn của chính cơ quan
    """
    from classifiers.classify import load_classifier
    from classifiers.evaluate import CORPUS_DIR, error_lines, evaluate_file, evaluate_rows, summary_lines
    from monitor.cli.common import echo_json, get_app

    if bool(labels_path) == db_labels:
        raise InputError("cần đúng một trong hai: --labels FILE hoặc --db-labels",
                         hint="monitor evaluate --labels ../shared/labels/dev.jsonl")
    if corpus and db_labels:
        raise InputError("--corpus chỉ dùng với --labels: --db-labels đo trên văn bản của các bài đã lưu")
    clf = load_classifier(_models_dir(ctx, models), _office_for_classify(ctx), require_models=True, fallback=models is None,
                          rules_path=_configured_rules(ctx))
    notes = [clf.rules_note] if clf.rules_note else []
    if db_labels:
        from classifiers.train import database_labels

        rows = [{"id": str(a.id), "title": a.title, "sapo": a.sapo, "body": a.body, "url": a.url, "outlet": a.outlet,
                 **{k: r.get(k) for k in ("is_education", "topics", "sentiment", "hot", "scope")}}
                for a, r in database_labels(get_app(ctx).store)]
        if not rows:
            raise InputError("chưa bài nào trong cơ sở dữ liệu có nhãn cho biết bài có phải tin giáo dục hay không",
                             hint="gắn nhãn cho một số bài bằng `monitor label` (`monitor review` liệt kê những bài "
                                  "đáng sửa nhất)")
        res = evaluate_rows(clf, rows, errors=errors) | {"labels_file": "database"}
        learnt = (clf.models.metadata.get("training_sources") or {}).get("database labels") if clf.models else None
        if learnt:
            notes.append(f"các mô hình này đã được huấn luyện với {learnt} nhãn trong cơ sở dữ liệu: số liệu đo trên "
                         "các nhãn đó không phải đo trên dữ liệu mô hình chưa học (mô hình đi kèm, hoặc mô hình của "
                         "một lần huấn luyện trước chọn bằng --models, thì chưa học các nhãn này)")
    else:
        res = evaluate_file(clf, Path(labels_path), Path(corpus) if corpus else CORPUS_DIR, errors=errors)
    if as_json:
        echo_json(res | ({"rules_note": notes[0]} if clf.rules_note else {}) | ({"notes": notes} if notes else {}))
        return
    for line in summary_lines(res, lang="vi"):
        click.echo(line)
    for note in notes:
        click.echo(f"chú ý: {note}")
    if errors:
        for line in error_lines(res["errors"]):
            click.echo(line)


# what `monitor train` says as each stage of classifiers.train.STAGES starts
TRAIN_STAGES_VI = {
    "corpus": "đọc ngữ liệu và các nhãn",
    "features": "đặc trưng của từng bài và LSA",
    "relevance": "mô hình giáo dục hay không",
    "topics": "mô hình chủ đề, một mô hình cho mỗi chủ đề",
    "tone": "mô hình sắc thái",
    "hot": "mô hình tin nóng",
    "scope": "mô hình phạm vi nước ngoài",
    "save": "đo trên tập dev và ghi mô hình",
}
# the stages that take nearly all of a training's time (classifiers.train.STAGES' comment)
LONG_TRAIN_STAGES = ("relevance", "topics", "tone")


class _TrainProgress:
    """The `progress` of classifiers.train.train: a line on standard error as each stage starts, with the time
    so far; remembers the stage, so that a Ctrl-C can say where it stopped."""

    def __init__(self) -> None:
        from classifiers.train import STAGES

        self.stages, self.t0, self.current = STAGES, time.monotonic(), None

    def __call__(self, stage: str) -> None:
        self.current = stage
        minutes = (time.monotonic() - self.t0) / 60
        click.echo(f"{self.step}: {TRAIN_STAGES_VI[stage]}" + (" — một bước lâu" if stage in LONG_TRAIN_STAGES else "")
                   + (f" (đã chạy {minutes:.0f} phút)" if minutes >= 1 else ""), err=True)

    @property
    def step(self) -> str:
        return f"bước {self.stages.index(self.current) + 1}/{len(self.stages)}"


def shipped_models_note(target: Path) -> str | None:
    """What to know before training over the shipped models (models/edu-nlp of the git checkout, the default with the
    shipped feeds.yaml): their files are the repository's, which a `git pull` then refuses to update."""
    from classifiers.classify import SHIPPED_MODELS_DIR

    if target.resolve() != SHIPPED_MODELS_DIR.resolve():
        return None
    return (f"sẽ ghi đè mô hình đi kèm phần mềm ({target / 'edu-nlp'}, các tệp của kho git): sau đó `git pull` sẽ từ "
            "chối cập nhật khi bản mới cũng đổi mô hình. Muốn tránh, dừng lại (Ctrl-C, chưa ghi gì) và huấn luyện vào "
            "thư mục riêng: --models models-cua-phong, rồi đặt storage.models_dir: models-cua-phong (README, phần nâng cấp)")


@cli.command()
@click.option("--models", "models", type=click.Path(file_okay=False),
              help="Thư mục ghi các mô hình (mặc định: storage.models_dir, nếu không có thì ./models).")
@click.option("--corpus", "corpus", type=click.Path(file_okay=False),
              help="Kho ngữ liệu dùng chung (mặc định: ../shared/corpus, bên cạnh thư mục dự án).")
@click.option("--no-db-labels", is_flag=True,
              help="Không dùng các nhãn của người phân tích trong cơ sở dữ liệu.")
@click.option("--fast", is_flag=True,
              help="Chỉ lấy vài nghìn bài của phần ngữ liệu gắn nhãn theo chuyên mục (thay vì khoảng 20.000) và "
                   "kiểm định chéo 3 phần thay vì 5. Mọi nhãn gán tay vẫn được học, mà phần lớn thời gian là ở đó: "
                   "vẫn mất khoảng ba phần năm thời gian của lần huấn luyện đủ. Mô hình kém hơn một chút; để thử, "
                   "không để đưa vào dùng.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Không dùng các tệp nhãn khớp mẫu GLOB (ví dụ 'day-*.jsonl') và các bài của chúng, để sau "
                   "đó đo mô hình trên chúng như trên dữ liệu nó chưa học (có thể dùng nhiều lần).")
@click.pass_context
def train(ctx: click.Context, models: str | None, corpus: str | None, no_db_labels: bool, fast: bool,
          exclude: tuple[str, ...]) -> None:
    """Huấn luyện lại mọi mô hình từ ngữ liệu và nhãn. Cùng đầu vào luôn cho ra cùng mô hình; lệnh ghi
    cả thẻ mô hình (MODEL_CARD.md).

    Dùng ../shared/corpus (chuyên mục của các báo), data/labels/*.jsonl và các nhãn của người phân tích
    trong cơ sở dữ liệu; khi có ../shared/labels/dev.jsonl (bên cạnh kho ngữ liệu) thì báo các chỉ số đo trên
    tệp đó và không dùng các bài của nó để huấn luyện.

    Mất lâu, và càng lâu khi càng nhiều nhãn gán tay (data/labels và cơ sở dữ liệu). Trên máy 2 lõi, các lần
    huấn luyện ghi trong MODEL_CARD.md (20.000–26.000 nhãn) mất 9–13 phút khi máy không chạy gì khác, 22–50
    phút khi một lần huấn luyện khác chạy cùng; với khoảng 36.000 nhãn hiện có, ước tính 20–30 phút khi máy
    rảnh và một giờ hoặc hơn khi máy bận. Mỗi bước (8 bước) in một dòng khi bắt đầu; các bước mô hình giáo
    dục, chủ đề và sắc thái chiếm gần hết thời gian.

    Lệnh thay bộ mô hình trong --models, nhưng chỉ ở cuối cùng: dừng giữa chừng (Ctrl-C) thì chưa ghi gì và
    các mô hình đang dùng vẫn giữ nguyên. Muốn giữ mô hình đi kèm thì huấn luyện vào một thư mục khác rồi
    trỏ storage.models_dir tới thư mục đó (với feeds.yaml đi kèm, mặc định là models/ của kho git).

    \b
    Ví dụ:
      monitor train --models models-cua-phong
      monitor train --models /tmp/held-out --exclude 'day-*.jsonl'
    """
    from classifiers.evaluate import CORPUS_DIR, SHARED_DIR, summary_lines
    from classifiers.train import train as run_train
    from monitor.cli.common import get_app

    cfg_exists = Path(ctx.find_root().obj["config_path"]).exists()
    store = None
    if cfg_exists and not no_db_labels and get_app(ctx).config.storage.database.exists():
        store = get_app(ctx).store  # no database yet: nothing labelled in it to learn from
    corpus_dir = Path(corpus) if corpus else CORPUS_DIR
    if not corpus_dir.is_dir():
        waiting = len(store.labels()) if store is not None else 0
        raise InputError(f"không có kho ngữ liệu dùng chung ở {corpus_dir}: huấn luyện cần văn bản của các bài nhóm "
                         "đã gắn nhãn",
                         hint="đặt thư mục dùng chung của nhóm bên cạnh thư mục dự án (../shared/corpus) hoặc chỉ ra "
                              "bằng --corpus DIR; chưa có gì thay đổi: các mô hình đang dùng vẫn giữ nguyên"
                              + (f", và {waiting} bài đã gắn nhãn trong cơ sở dữ liệu sẽ được học ở lần huấn luyện "
                                 "sau (những gì hệ thống cho người dùng xem đã theo các nhãn đó rồi)" if waiting else ""))
    # the dev set sits beside the corpus (../shared/labels/dev.jsonl): its items are kept out of training and
    # measured on, also when the shared folder is named with --corpus rather than found beside the project
    dev_path = corpus_dir.parent / "labels" / "dev.jsonl" if corpus else SHARED_DIR / "labels" / "dev.jsonl"
    target = Path(models) if models else (_models_dir(ctx, None) or Path("models"))
    note = shipped_models_note(target)
    if note:
        click.echo(f"chú ý: {note}", err=True)
    progress = _TrainProgress()
    written = target / "edu-nlp" / "metadata.json"
    before = written.read_bytes() if written.is_file() else None
    try:
        meta = run_train(target, corpus_dir, dev_path=dev_path,
                         store=store, log=lambda m: click.echo(m, err=True), fast=fast, exclude=exclude,
                         rules_path=_configured_rules(ctx), progress=progress)
    except KeyboardInterrupt:
        # classifiers.train writes nothing into the bundle before its very last step, which a Ctrl-C does not cut
        # short: the bundle is either as it was or wholly the new one, and its metadata says which
        if (written.read_bytes() if written.is_file() else None) != before:
            click.echo(f"Đã dừng (Ctrl-C) ngay sau khi ghi xong mô hình mới vào {target / 'edu-nlp'}.", err=True)
        else:
            where = f" ở {progress.step} ({TRAIN_STAGES_VI[progress.current]})" if progress.current else ""
            click.echo(f"Đã dừng (Ctrl-C){where}: chưa ghi gì vào {target / 'edu-nlp'}; các mô hình đang dùng vẫn "
                       "giữ nguyên.", err=True)
        ctx.exit(130)
    click.echo(f"đã ghi {target / meta['name']} ({meta['weights_sha256'][:10]}) sau {meta['train_seconds']} giây")
    if "dev_metrics" in meta:
        for line in summary_lines(meta["dev_metrics"], lang="vi"):
            click.echo(line)


@cli.group()
def rules() -> None:
    """Quy tắc chủ đề mà cơ quan tự sửa được. Đó là tệp classifiers/topics.yaml, hoặc bản riêng của cơ quan
    mà storage.rules_file trỏ tới."""


@rules.command("test")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, exists=True),
              help="Tệp quy tắc đã sửa (mặc định: storage.rules_file, nếu không có thì topics.yaml đi kèm).")
@click.option("--since", help="Ngày đầu (DD/MM/YYYY hoặc YYYY-MM-DD, theo múi giờ của cơ quan), tính cả ngày này.")
@click.option("--until", help="Ngày cuối (DD/MM/YYYY hoặc YYYY-MM-DD), tính cả ngày này.")
@click.option("--models", "models", type=click.Path(file_okay=False),
              help="Thư mục chứa các mô hình đã huấn luyện (mặc định: storage.models_dir).")
@click.option("--rules-only", is_flag=True,
              help="Không dùng mô hình đã huấn luyện ở cả hai phía: khi đó mọi khác biệt đều do chỗ sửa.")
@click.option("--show", type=click.IntRange(0, 1000), default=5, show_default=True,
              help="Số bài nêu làm ví dụ cho mỗi loại thay đổi.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình phân loại song song (mặc định: mỗi lõi CPU một tiến trình); 1 = phân loại "
                   "ngay trong tiến trình này.")
@click.pass_context
def rules_test(ctx: click.Context, rules_path: str | None, since: str | None, until: str | None, models: str | None,
               rules_only: bool, show: int, jobs: int | None) -> None:
    """Chạy thử tệp quy tắc đã sửa trên các bài đã lưu. Cho thấy những gì sẽ thay đổi, không ghi gì.

    Mỗi bài được phân loại hai lần, bằng quy tắc đang dùng và bằng quy tắc đã sửa, trên mọi lõi CPU (một
    tháng tin trong cơ sở dữ liệu của một năm, 10.000 bài, mất vài chục giây); tiến độ in ra đầu ra lỗi
    chuẩn (stderr). Kết quả phân loại thay đổi được kể theo giáo dục, nóng và từng chủ đề; bài chuyên viên đã
    gắn nhãn được đánh dấu ✎, kèm thay đổi đó khớp hay trái nhãn của chuyên viên (những gì người dùng xem vẫn
    theo nhãn).

    \b
    Ví dụ:
      monitor rules test --rules my-topics.yaml --since 2026-11-01 --until 2026-11-30
    """
    from classifiers.classify import load_classifier
    from classifiers.parallel import default_jobs
    from classifiers.types import ArticleText
    from monitor.cli.common import get_app, local_day_end, local_day_start, parse_date
    from monitor.corrections import label_agrees

    app = get_app(ctx)
    d_since, d_until = parse_date(since, "--since"), parse_date(until, "--until")
    if d_since and d_until and d_until < d_since:
        raise InputError("--until đứng trước --since; đổi chỗ hai ngày")
    if models and rules_only:
        raise InputError("--models và --rules-only mâu thuẫn nhau: --rules-only bỏ các mô hình ra ở cả hai phía; chỉ dùng "
                         "một trong hai")
    mdir = Path(models) if models else app.models_dir or app.config.storage.models_dir
    live_rules = app.config.storage.rules_file
    # a --models folder named by hand that holds no models is a typo, not a reason to use the shipped ones (as
    # `reclassify --model`); the candidate is loaded first so that error is not taken for broken live rules
    kw = {"fallback": models is None, "use_models": not rules_only}
    candidate = load_classifier(mdir, app.config.office, trial=True,
                                rules_path=Path(rules_path) if rules_path else live_rules, **kw)
    try:
        live = load_classifier(mdir, app.config.office, rules_path=live_rules, **kw)
    except MonitorError as exc:
        if live_rules is None:
            raise
        # the office's live rules are what is broken (`monitor crawl` says so too): the fix must still be testable
        click.echo(f"chú ý: không dùng được quy tắc đang dùng ({live_rules.name}, storage.rules_file): {exc}\n"
                   "       nên so sánh với classifiers/topics.yaml đi kèm", err=True)
        live = load_classifier(mdir, app.config.office, **kw)
    for line in candidate_notes(live, candidate, in_rules_test=True):
        click.echo(f"chú ý: {line}", err=True)
    start = local_day_start(app, d_since) if d_since else None
    end = local_day_end(app, d_until) if d_until else None
    # before `monitor init` there is no database and so no article: the rules file is still checked, none is made
    arts = [ArticleText(id=str(a.id), title=a.title, sapo=a.sapo, body=a.body, url=a.url, outlet=a.outlet)
            for a in app.store.articles_between(start, end)] if app.config.storage.database.exists() else []
    diff = compare(live, candidate, arts, batch=RULES_TEST_BATCH, jobs=jobs or default_jobs(), progress=_progress(len(arts)))
    click.echo(f"{len(arts)} bài; quy tắc đang dùng {live.version} → quy tắc thử {candidate.version}")
    titles = {a.id: a.title for a in arts}
    if not arts:
        # a new install before its first crawl: "nothing changes" would read as the edit doing nothing
        click.echo("Không có bài nào đã lưu" + (f" từ ngày {d_since:%d/%m/%Y}" if d_since else "")
                   + (f" đến ngày {d_until:%d/%m/%Y}" if d_until else "")
                   + " để thử: tệp quy tắc không có lỗi, nhưng chưa biết nó thay đổi gì. Thu thập tin trước "
                     "(`monitor crawl --all`) hoặc đổi --since, --until rồi chạy lại.")
        return
    if not any(g or l for g, l in diff.values()):
        same = _same_rules_vi(live.rules, candidate.rules)
        click.echo("Không kết quả phân loại nào thay đổi" + (f": {same}." if same else f" trên {len(arts)} bài."))
        return
    labels = {str(r["article_id"]): r for r in app.store.labels()}
    click.echo("Kết quả phân loại thay đổi (+ bài được xếp thêm vào / - bài bị bỏ ra; ✎ bài chuyên viên đã gắn nhãn):")
    agree = disagree = 0
    for call, (gained, lost) in diff.items():
        if not gained and not lost:
            continue
        verdicts = [label_agrees(labels[i], call, sign == "+") for sign, ids in (("+", gained), ("-", lost))
                    for i in ids if i in labels]
        agree, disagree = agree + verdicts.count(True), disagree + verdicts.count(False)
        click.echo(f"  {_label_vi(call)}: +{len(gained)} / -{len(lost)}"
                   + against_labels_vi(verdicts.count(True), verdicts.count(False), short=True))
        for sign, ids in (("+", gained), ("-", lost)):
            for i in ids[:show]:
                click.echo(f"     {sign} [{i}] {titles[i][:100]}{labelled_mark(labels.get(i), call, sign == '+')}")
    if agree or disagree:
        click.echo(f"Ở các bài chuyên viên đã gắn nhãn (✎): {against_labels_vi(agree, disagree)}.")


def _same_rules_vi(live, candidate) -> str | None:
    """What to say when the rules tried are those in use: then nothing can change, which should not read as an edit
    that does nothing."""
    if candidate.path.resolve() == live.path.resolve():
        return f"tệp thử chính là tệp quy tắc đang dùng, {live.path.name}; sửa một bản sao rồi chạy với --rules BẢN-SAO"
    if candidate.sha256 == live.sha256:
        return f"tệp thử {candidate.path.name} giống hệt tệp quy tắc đang dùng, {live.path.name}"
    return None


def labelled_mark(label, call: str | None, value) -> str:
    """After an example of a change (`rules test`, `reclassify`): ✎ when an analyst labelled the article, and whether
    the change agrees with what the label states of that call (monitor.corrections.label_agrees)."""
    from monitor.corrections import label_agrees

    if label is None:
        return ""
    verdict = label_agrees(label, call, value) if call is not None else None
    return "  ✎" + {True: " khớp nhãn", False: " trái nhãn", None: ""}[verdict]


def against_labels_vi(agree: int, disagree: int, *, short: bool = False) -> str:
    """How many changes agree or disagree with the analysts' labels of their articles: in full for a summary line,
    short (in brackets after a count, or nothing when there are none) for one kind of change."""
    if short:
        return f" (bài đã gắn nhãn: {agree} khớp, {disagree} trái nhãn)" if agree or disagree else ""
    return (f"{agree} thay đổi khớp nhãn của chuyên viên, {disagree} thay đổi trái nhãn; điểm báo, báo cáo và các danh "
            "sách vẫn đọc những bài này theo nhãn")


def _label_vi(label: str) -> str:
    """A label of `compare` ("education", "hot", "topic tuyen-sinh") as `monitor explain` shows it: the topic id kept,
    its plan name after it."""
    from classifiers.plan_topics import topic_name

    if label.startswith("topic "):
        tid = label[len("topic "):]
        name = topic_name(tid)
        return f"Chủ đề {tid}" + (f" ({name})" if name != tid else "")
    return {"education": "Giáo dục", "hot": "Nóng"}.get(label, label)


PROGRESS_EVERY = 2000  # articles between progress lines of `rules test`; fewer articles print none
RULES_TEST_BATCH = 512  # articles classified at a time by both rule sets (a worker's unit of work)


def _progress(total: int):
    """A progress line on standard error every PROGRESS_EVERY articles, when there are more than that: a month of a
    year's store is a long wait with nothing said. Standard output keeps the result alone."""
    if total <= PROGRESS_EVERY:
        return None
    from monitor.digest import vn_number

    said = [0]

    def report(done: int) -> None:
        if done // PROGRESS_EVERY > said[0] // PROGRESS_EVERY and done < total:
            click.echo(f"đã phân loại {vn_number(done)}/{vn_number(total)} bài (bằng quy tắc đang dùng và quy tắc thử)...",
                       err=True)
        said[0] = done

    return report


def candidate_notes(live, candidate, *, in_rules_test: bool = False) -> list[str]:
    """What a reader of the diff must know about the candidate rules: topic ids that are not the plan's (a typo reads
    as a new topic), rules the trained models cannot read (then the rules alone score the candidate, so the diff is
    mostly the rules against the models, and the live monitor would refuse the file), or edited terms (pointing to
    `monitor rules test`, unless that is the command saying it)."""
    import difflib

    from classifiers.model import rules_mismatch
    from classifiers.plan_topics import TOPIC_IDS

    notes = []
    for tid in candidate.rules.topic_ids:
        if tid not in TOPIC_IDS:
            near = difflib.get_close_matches(tid, TOPIC_IDS, n=1)
            notes.append(f"mã chủ đề {tid!r} không phải một chủ đề của kế hoạch"
                         + (f" (có phải định viết {near[0]!r}?)" if near else "")
                         + "; điểm báo sẽ không xếp bài của nó vào mục chủ đề nào")
    trained = getattr(live, "models", None)
    if candidate.models is None and trained is not None:
        why = rules_mismatch(trained.metadata, candidate.rules) or "chủ đề hoặc nhóm tin nóng khác"
        notes.append(f"{candidate.rules.path.name} không khớp với các mô hình đã huấn luyện ({why}): phía quy tắc thử "
                     "dưới đây chỉ được chấm bằng quy tắc, không dùng mô hình, nên phần lớn khác biệt là giữa quy tắc và "
                     "mô hình chứ không phải do chỗ sửa; khi đưa vào dùng, hệ thống sẽ từ chối tệp này cho tới khi các mã "
                     "khớp lại với mô hình hoặc `monitor train` dựng lại mô hình cho nó")
    elif candidate.rules_note and (live is None or candidate.rules.sha256 != live.rules.sha256):
        notes.append(candidate.rules_edited_note(pointer=not in_rules_test))
    return notes


def _labels_of_both(pair, articles: list) -> list[tuple[tuple, tuple]]:
    """(live, candidate) labels of each article of a batch: the text prepared once for both (SharedText), only
    the labels compare reads kept (small to send back from a worker)."""
    from classifiers.classify import SharedText

    shared = SharedText(articles)

    def labels(clf):
        return [(c.id, c.is_education, c.hot, c.topics) for c in clf.classify_many(articles, evidence=False, shared=shared)]

    return list(zip(*(labels(clf) for clf in pair)))


def compare(live, candidate, articles: list, batch: int = 512, *, jobs: int = 1,
            progress=None) -> dict[str, tuple[list[str], list[str]]]:
    """Label by label, the article ids that the candidate classifier adds and removes. `jobs` > 1 classifies the
    batches in that many forked workers; `progress(done)` is called after each batch."""
    from classifiers.parallel import map_batches

    changes: dict[str, tuple[list[str], list[str]]] = {"education": ([], []), "hot": ([], [])}
    batches = ((articles[k:k + batch], min(k + batch, len(articles))) for k in range(0, len(articles), batch))
    for pairs, done in map_batches(_labels_of_both, (live, candidate), batches, jobs):
        for (_, old_edu, old_hot, old_topics), (aid, new_edu, new_hot, new_topics) in pairs:
            for label, a, b in (("education", old_edu, new_edu), ("hot", old_hot, new_hot)):
                if b and not a:
                    changes[label][0].append(aid)
                elif a and not b:
                    changes[label][1].append(aid)
            for t in set(old_topics) | set(new_topics):
                g, l = changes.setdefault(f"topic {t}", ([], []))
                if t in new_topics and t not in old_topics:
                    g.append(aid)
                elif t in old_topics and t not in new_topics:
                    l.append(aid)
        if progress is not None:
            progress(done)
    return dict(sorted(changes.items(), key=lambda kv: (not kv[0].startswith(("education", "hot")), kv[0])))
