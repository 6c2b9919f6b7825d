"""Connection, migrations and transactions: the part of the store every mixin shares."""

from __future__ import annotations

import sqlite3
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

from monitor.errors import StoreError


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


def migration_files() -> list[tuple[str, str]]:
    """(name, sql) for every migration shipped with the package, in name order."""
    folder = resources.files("monitor.store") / "migrations"
    files = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".sql"))
    return files


BUSY_TIMEOUT_SECONDS = 30


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def locked_error(path: Path, exc: BaseException) -> StoreError:
    """Another process held the write lock for longer than we wait: say which file and what to do, not
    "internal error" (it is the environment, not a bug)."""
    return StoreError(
        f"the database {path} is locked by another process (waited {BUSY_TIMEOUT_SECONDS:g} s): {exc}",
        hint="another monitor command (serve, reclassify, train) or a backup/copy tool is writing to it; "
             "wait for it to finish and run this again")


class BaseStore:
    """One SQLite file in WAL mode. Each write commits at once so a crash loses nothing stored."""

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}",
                             hint="check the storage.data_dir setting and that the folder is writable") from None
        if migrate:
            self.migrate()

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
            raise (locked_error(self.path, exc) if _is_locked(exc)
                   else StoreError(f"cannot write to the database {self.path}: {exc}")) from exc
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if _is_locked(exc):
                raise locked_error(self.path, exc) from exc
            raise

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.Error as exc:
            if _is_locked(exc):
                raise locked_error(self.path, exc) from exc
            raise StoreError(f"database error in {self.path}: {exc}") from exc

    def applied_migrations(self) -> list[str]:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        return [r[0] for r in self.db.execute("SELECT name FROM schema_migrations ORDER BY name")]

    def migrate(self) -> list[str]:
        """Apply, in order, every shipped migration not yet recorded; return the names applied."""
        done = set(self.applied_migrations())
        shipped = migration_files()
        newer = sorted(done - {name for name, _ in shipped})
        if newer:
            # a newer monitor's tables and columns may mean things this version would misread or overwrite
            raise StoreError(f"the database {self.path} was made by a newer version of the monitor "
                             f"(its schema has {', '.join(newer)}, unknown to this one)",
                             hint="upgrade this installation (git pull, then pip install -e .) or point storage.data_dir "
                                  "at a database this version made")
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
                raise StoreError(f"migration {name} failed on {self.path}: {exc}",
                                 hint="the database was left as it was before this migration") from None
            applied.append(name)
        return applied

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
