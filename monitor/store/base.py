"""Connection, migrations and transactions: the part of the store every mixin shares."""

from __future__ import annotations

import errno
import os
import sqlite3
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

from monitor.charsets import printable
from monitor.errors import InputError, StoreError


def exact_utc(dt: datetime) -> str:
    """UTC text to the microsecond, for the two times compared to tell whether an article's text changed after it
    was classified (articles.text_changed_at, classifications.classified_at): in whole seconds, a page stored just
    after a classification in the same second would look older than it and never be classified, or, the other way,
    a classification made just after the page would look older and classify the article again at every next run.
    Sorts with utc_iso's whole seconds ("...:02+00:00" before "...:02.500000+00:00"). A naive datetime is refused
    as utc_iso refuses it (astimezone would read it in the machine's zone)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime reached the store; attach a time zone first")
    return dt.astimezone(timezone.utc).isoformat()


def utc_iso(dt: datetime | None) -> str | None:
    """Aware datetime -> sortable UTC text; naive datetimes are a programming error."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise ValueError("naive datetime reached the store; attach a time zone first")
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def compress(text: bytes) -> bytes:
    return zlib.compress(text, 6)


def decompress(blob: bytes | None) -> bytes:
    return zlib.decompress(blob) if blob else b""


def _printable_or_null(value):
    return printable(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class SchemaUpgrade:
    """The migrations one opening of an existing database applied: from the last it had to the last it has now."""

    path: Path
    before: str  # migration file names, "0061_....sql"
    after: str
    steps: int


def migration_files() -> list[tuple[str, str]]:
    """(name, sql) for every migration shipped with the package, in name order."""
    folder = resources.files("monitor.store") / "migrations"
    files = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".sql"))
    return files


BUSY_TIMEOUT_SECONDS = 30


# SQLite's primary result codes (the low byte of an extended code) for what the environment did to the file
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    5, 6, 8, 10, 11, 13, 14, 26)


def _sqlite_cause(exc: BaseException) -> str | None:
    """'locked' | 'readonly' | 'ioerr' | 'full' | 'corrupt' | 'cantopen' for a failure of the file or its
    surroundings; None for anything else (a bad statement, a constraint: a bug, not the environment)."""
    if not isinstance(exc, sqlite3.Error) or isinstance(
            exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.NotSupportedError)):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return {SQLITE_BUSY: "locked", SQLITE_LOCKED: "locked", SQLITE_READONLY: "readonly", SQLITE_IOERR: "ioerr",
                SQLITE_FULL: "full", SQLITE_CORRUPT: "corrupt", SQLITE_NOTADB: "corrupt",
                SQLITE_CANTOPEN: "cantopen"}.get(code & 0xFF)
    text = str(exc).lower()  # an exception without its code (made by hand): SQLite's own wording
    for needle, cause in (("locked", "locked"), ("busy", "locked"), ("readonly", "readonly"), ("read-only", "readonly"),
                          ("disk i/o error", "ioerr"), ("disk is full", "full"), ("not a database", "corrupt"),
                          ("malformed", "corrupt"), ("unable to open", "cantopen")):
        if needle in text:
            return cause
    return None


def _is_locked(exc: BaseException) -> bool:
    return _sqlite_cause(exc) == "locked"


def locked_error(path: Path, exc: BaseException) -> StoreError:
    """Another process held the write lock for longer than we wait: say which file and what to do, not
    "internal error" (it is the environment, not a bug)."""
    return StoreError(
        f"cơ sở dữ liệu {path} đang bị một tiến trình khác khóa (đã chờ {BUSY_TIMEOUT_SECONDS:g} giây): {exc}",
        hint="một lệnh monitor khác (serve, reclassify, train) hoặc công cụ sao lưu/sao chép đang ghi vào đó; "
             "chờ nó xong rồi chạy lại lệnh này")


def _user() -> str:
    """'the user running the monitor (NAME)', the name when the system knows it."""
    try:
        import pwd

        return f"người dùng chạy monitor ({pwd.getpwuid(os.geteuid()).pw_name})"
    except (ImportError, KeyError, OSError):
        return "người dùng chạy monitor"


def mounted_read_only(path: Path) -> bool:
    """Whether the file system holding `path` (or its nearest existing folder) is mounted read-only: SQLite then says
    "attempt to write a readonly database" as it does for a file this user may not write, whose fix (permission)
    does nothing here, root having it already."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return bool(os.statvfs(p).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): the permission hint stands
        return False


def read_only_mount_error(path: Path, exc: BaseException, what: str = "cơ sở dữ liệu") -> StoreError:
    return StoreError(
        f"không ghi được vào {what} {path}: ổ đĩa hoặc thư mục chia sẻ chứa nó đang được gắn (mount) ở chế độ chỉ đọc: "
        f"{exc}",
        hint="gắn lại ổ đó ở chế độ đọc-ghi (ví dụ `mount -o remount,rw <điểm gắn>`; với thư mục chia sẻ qua mạng, "
             "kiểm tra tùy chọn gắn và quyền của chia sẻ), hoặc đặt storage.data_dir là một thư mục trên ổ ghi được; "
             "cấp quyền ghi cho người dùng không giúp gì")


def store_error(path: Path, exc: BaseException) -> StoreError | None:
    """The StoreError (file named, what to do) for a sqlite3 error the environment caused, or None when
    it is not one of those. Every boundary of the store (open, execute, transaction) asks this, so a
    read-only folder, a full or failing disk and a damaged file read the same wherever they surface."""
    if isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return read_only_mount_error(path, exc, "tệp khóa" if path.suffix == ".lock" else "cơ sở dữ liệu")
    cause = _sqlite_cause(exc)
    name, folder = path.name, path.parent
    if cause == "locked":
        return locked_error(path, exc)
    if cause == "readonly" and mounted_read_only(folder):
        return read_only_mount_error(path, exc)
    if cause == "readonly":
        return StoreError(
            f"không ghi được vào cơ sở dữ liệu {path}: {exc}",
            hint=f"SQLite ghi vào cơ sở dữ liệu và các tệp {name}-wal, {name}-shm, và tạo chúng trong thư mục: "
                 f"cho {_user()} quyền ghi vào thư mục {folder} và các tệp đó, "
                 "hoặc đặt storage.data_dir là một thư mục được phép ghi")
    if cause == "full":
        return StoreError(
            f"ổ đĩa chứa cơ sở dữ liệu {path} đã đầy: {exc}",
            hint=f"giải phóng dung lượng trên ổ đĩa của {folder} (hoặc chuyển storage.data_dir sang ổ lớn hơn) rồi chạy "
                 "lại; lần ghi bị lỗi đã được hoàn tác, dữ liệu lưu trước đó vẫn còn")
    if cause == "ioerr":
        return StoreError(
            f"lỗi đọc/ghi đĩa (disk I/O) trên cơ sở dữ liệu {path}: {exc}",
            hint=f"ổ đĩa hoặc điểm gắn (mount) chứa {folder} bị lỗi khi đọc hoặc ghi (ổ bị rút ra hay gắn lại ở chế độ "
                 f"chỉ đọc, ổ mạng bị mất kết nối, ổ đĩa sắp hỏng, các tệp {name}-wal/-shm không ghi được): "
                 "kiểm tra điểm gắn và nhật ký hệ thống (dmesg), rồi chạy lại lệnh này")
    if cause == "corrupt":
        return StoreError(
            f"cơ sở dữ liệu {path} bị hỏng hoặc không phải cơ sở dữ liệu SQLite: {exc}",
            hint="kiểm tra storage.database có đúng là cơ sở dữ liệu của monitor; nếu đúng, dừng mọi tiến trình monitor, "
                 f"giữ một bản sao của {name} (cùng tệp -wal của nó), rồi khôi phục từ bản sao lưu hoặc chuyển tệp đó "
                 "sang chỗ khác để monitor tạo cơ sở dữ liệu mới (`sqlite3 OLD .recover | sqlite3 NEW` có thể cứu được "
                 "phần dữ liệu cũ)")
    if cause == "cantopen":
        return StoreError(
            f"không mở được cơ sở dữ liệu {path}: {exc}",
            hint=f"kiểm tra mục storage.data_dir, và thư mục {folder} có tồn tại và {_user()} được ghi vào đó")
    return None


def _translated(path: Path, exc: sqlite3.Error) -> StoreError:
    return store_error(path, exc) or StoreError(f"lỗi cơ sở dữ liệu {path}: {exc}")


class StoreCursor:
    """A cursor whose reads translate sqlite3 errors as execute does. SQLite reads a query's rows as they are
    fetched: a damaged page met at the tenth row of `monitor status`'s listing raises while the caller iterates,
    after execute has returned, and would otherwise reach the CLI as an internal error instead of a damaged
    database (exit 3, with the `.recover` hint)."""

    __slots__ = ("_cursor", "_path")

    def __init__(self, cursor: sqlite3.Cursor, path: Path) -> None:
        self._cursor = cursor
        self._path = path

    def __iter__(self):
        try:
            yield from self._cursor
        except sqlite3.Error as exc:
            raise _translated(self._path, exc) from exc

    def fetchone(self):
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as exc:
            raise _translated(self._path, exc) from exc

    def fetchall(self) -> list:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as exc:
            raise _translated(self._path, exc) from exc

    def fetchmany(self, size: int = 1) -> list:
        try:
            return self._cursor.fetchmany(size)
        except sqlite3.Error as exc:
            raise _translated(self._path, exc) from exc

    def __getattr__(self, name):  # lastrowid, rowcount, description
        return getattr(self._cursor, name)


class BaseStore:
    """One SQLite file in WAL mode. Each write commits at once so a crash loses nothing stored."""

    def __init__(self, path: str | Path, *, migrate: bool = True, read_only_fallback: bool = False) -> None:
        self.path = Path(path)
        self.read_only = False  # opened read-only (read_only_fallback): every write fails as "cannot be written"
        # what migrate() did to a database made by an earlier version (None for one it created, or found up to
        # date): the CLI says so, since an upgrade that changes the file in place should not go unnoticed
        self.upgraded: SchemaUpgrade | None = None
        try:
            # case notes, analysts' labels and delivery errors are the office's business, not every local user's:
            # a new database (and the -wal/-shm files SQLite gives the same mode) is readable by its group only
            self.path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o640))
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            # migrations clean stored text with the very rule collection applies (0064)
            self.db.create_function("monitor_printable", 1, _printable_or_null, deterministic=True)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        except (sqlite3.Error, OSError) as exc:
            error = store_error(self.path, exc) or StoreError(
                f"không mở được cơ sở dữ liệu {self.path}: {exc}",
                hint="kiểm tra mục storage.data_dir và thư mục đó được phép ghi")
            if not (read_only_fallback and _sqlite_cause(exc) in ("readonly", "cantopen") and self.path.is_file()):
                raise error from None
            if getattr(self, "db", None) is not None:
                self.db.close()
            self.db = self._open_read_only(error)
            self.read_only = True
        if migrate:
            self.migrate()

    def _open_read_only(self, error: StoreError) -> sqlite3.Connection:
        """The database opened for reading only, for a command that writes nothing, when it cannot be opened for
        writing (a read-only share or mount, a file of another user): `error` is raised when even that fails.

        SQLite reads a WAL database read-only only if its -shm file exists or can be made; in a read-only folder
        holding the file alone it cannot, so then the file is opened immutable. That is safe only when nothing
        waits in a -wal file (immutable reads the main file alone and would miss it) and no monitor writes the file
        meanwhile, which one writing there would need the folder for its -wal and -shm files; with a -wal file
        beside it, mode=ro or nothing."""
        wal = Path(f"{self.path}-wal")
        uris = [f"{self.path.as_uri()}?mode=ro"]
        if not (wal.exists() and wal.stat().st_size > 0):
            uris.append(f"{self.path.as_uri()}?mode=ro&immutable=1")
        for uri in uris:
            db = None
            try:
                db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                     check_same_thread=False)
                db.row_factory = sqlite3.Row
                db.create_function("monitor_printable", 1, _printable_or_null, deterministic=True)
                db.execute("PRAGMA foreign_keys=ON")
                db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # SQLite opens the file at the first read
                return db
            except sqlite3.Error:
                if db is not None:
                    db.close()
        raise error from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; nested use joins the outer transaction."""
        if self.db.in_transaction:
            yield self.db
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise (store_error(self.path, exc)
                   or StoreError(f"không ghi được vào cơ sở dữ liệu {self.path}: {exc}")) from exc
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the disk that failed the write may fail this too; the error to report is the first
            # a read-only folder, a full or failing disk, a damaged file: the environment, said as such. Other
            # sqlite3 errors (a constraint, a bad statement) are bugs and stay as they are.
            error = store_error(self.path, exc) if isinstance(exc, sqlite3.Error) else None
            if error is not None:
                raise error from exc
            raise

    def execute(self, sql: str, params=()) -> "StoreCursor":
        try:
            return StoreCursor(self.db.execute(sql, params), self.path)
        except sqlite3.Error as exc:
            raise _translated(self.path, exc) from exc

    def applied_migrations(self) -> list[str]:
        try:
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            return [r[0] for r in self.db.execute("SELECT name FROM schema_migrations ORDER BY name")]
        except sqlite3.Error as exc:
            raise (store_error(self.path, exc) or StoreError(f"không đọc được lược đồ của {self.path}: {exc}")) from None

    def migrate(self) -> list[str]:
        """Apply, in order, every shipped migration not yet recorded; return the names applied."""
        done = set(self.applied_migrations())
        shipped = migration_files()
        newer = sorted(done - {name for name, _ in shipped})
        if newer:
            # a newer monitor's tables and columns may mean things this version would misread or overwrite
            raise StoreError(f"cơ sở dữ liệu {self.path} do một phiên bản monitor mới hơn tạo ra "
                             f"(lược đồ có {', '.join(newer)}, phiên bản này không biết)",
                             hint="nâng cấp bản cài đặt này (git pull, rồi pip install -e .) hoặc đặt storage.data_dir "
                                  "là nơi có cơ sở dữ liệu do phiên bản này tạo")
        if self.read_only and {name for name, _ in shipped} - done:
            # an older schema read by this version's queries would fail at some column: say why instead
            raise StoreError(f"không ghi được vào cơ sở dữ liệu {self.path}, mà phiên bản monitor này phải nâng cấp "
                             "lược đồ của nó trước khi đọc",
                             hint=f"mở nó một lần ở nơi ghi được (cho quyền ghi vào thư mục {self.path.parent} và các "
                                  "tệp trong đó, hoặc chạy phiên bản monitor này trên cơ sở dữ liệu gốc)")
        applied = []
        for name, sql in shipped:
            if name in done:
                continue
            try:
                with self.transaction() as db:
                    for statement in _split_sql(sql):
                        db.execute(statement)
                    db.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                               (name, utc_iso(datetime.now(timezone.utc))))
            except sqlite3.Error as exc:
                raise StoreError(f"bản nâng cấp lược đồ {name} không chạy được trên {self.path}: {exc}",
                                 hint="cơ sở dữ liệu được giữ nguyên như trước bản nâng cấp này") from None
            applied.append(name)
        if applied and done:
            earlier = self.upgraded
            self.upgraded = SchemaUpgrade(self.path, earlier.before if earlier else max(done), applied[-1],
                                          len(applied) + (earlier.steps if earlier else 0))
        return applied

    def backup(self, dest: str | Path, *, overwrite: bool = False) -> dict:
        """Write a consistent copy of the database to `dest` while other processes (`monitor serve`, a crawl) may be
        writing it, check the copy, and return what it holds: {path, bytes, check, articles, cases, migration}.

        SQLite's online backup API copies the pages under one read transaction: in WAL mode writers go on meanwhile,
        and the copy is the database as of one commit, with what waits in the -wal file, never a half-written page
        (a copy of the file with cp is not: it misses the -wal file and may catch a checkpoint half done). One step
        (pages=-1), as a copy made in steps starts again at each write another connection makes, and on a busy
        store might never finish. The copy is written beside `dest` and renamed into place only once checked, so a
        failed backup leaves no file that looks like one; it is a single file (journal_mode DELETE, no -wal)."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise InputError(f"tệp sao lưu {dest} chính là cơ sở dữ liệu",
                             hint="ghi bản sao lưu ra một tệp khác, ví dụ --out monitor-YYYY-MM-DD.sqlite3")
        if dest.is_dir():
            raise InputError(f"tệp sao lưu {dest} là một thư mục", hint="đặt tên một tệp trong thư mục đó, ví dụ --out "
                             f"{dest / 'monitor-backup.sqlite3'}")
        if dest.exists() and not overwrite:
            raise InputError(f"tệp sao lưu {dest} đã có; chưa ghi gì",
                             hint="đặt tên tệp khác, hoặc thêm --force để ghi đè")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        # as the database itself: the office's notes and labels are readable by its group only
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o640))
        copy = None
        try:
            copy = sqlite3.connect(partial, isolation_level=None)
            self.db.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = [r[0] for r in copy.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StoreError(f"bản sao lưu của {self.path} không qua được bước kiểm tra: {'; '.join(problems[:5])}",
                                 hint="có thể chính cơ sở dữ liệu bị hỏng: chạy `sqlite3 "
                                      f"{self.path} 'PRAGMA integrity_check'`; bản sao lưu không được giữ lại")
            articles = copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            cases = copy.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
            migration = copy.execute("SELECT MAX(name) FROM schema_migrations").fetchone()[0]
            copy.close()
            copy = None
            with open(partial, "rb") as f:
                os.fsync(f.fileno())
            os.replace(partial, dest)
        except sqlite3.Error as exc:
            cause = _sqlite_cause(exc)
            if cause == "corrupt":
                # the copy holds the database's pages as they are: a damaged one found reading it is the source's,
                # not the destination's (a full or read-only destination fails as 'full' or 'readonly')
                damaged = store_error(self.path, exc)
                raise StoreError(f"không sao lưu được: chính cơ sở dữ liệu {self.path} bị hỏng (đọc bản sao của nó thì "
                                 f"gặp: {exc}); bản sao lưu không được giữ lại",
                                 hint=damaged.hint) from None
            if cause == "locked":
                raise locked_error(self.path, exc) from None
            raise StoreError(f"không ghi được tệp sao lưu {dest}: {exc}",
                             hint=f"kiểm tra thư mục {dest.parent} ghi được và ổ đĩa còn đủ chỗ cho một bản sao "
                                  f"cơ sở dữ liệu ({self.size_bytes() / 1e6:.0f} MB)") from None
        finally:
            if copy is not None:
                copy.close()
            for suffix in ("", "-journal"):
                Path(f"{partial}{suffix}").unlink(missing_ok=True)
        return {"path": dest, "bytes": dest.stat().st_size, "check": "ok", "articles": articles, "cases": cases,
                "migration": migration}

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                total += p.stat().st_size
        return total


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, current = [], []
    depth = 0
    for line in sql.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") or not stripped:
            continue
        current.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            depth += 1
        if stripped.endswith(";"):
            if depth and upper.startswith("END"):
                depth -= 1
            if not depth:
                statements.append("\n".join(current))
                current = []
    if current:
        statements.append("\n".join(current))
    return statements
