"""The edges, assembled once: configuration, database, clock and classifier.

Commands and scheduled jobs receive an `App`; tests build one with a fixed clock or a temporary
database. Nothing here runs at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from monitor.config import Config, load_config


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class App:
    config: Config
    clock: Callable[[], datetime] = system_clock
    models_dir: Path | None = None  # overrides config.storage.models_dir
    reads_only: bool = False  # the command writes nothing: a database that cannot be written is opened read-only
    # False for a command that only works on what was collected (label, articles, cases...): a database missing is then
    # refused rather than made empty, for it means the command was pointed at the wrong place (no --config)
    creates_database: bool = True
    # told when opening the database upgraded its schema (monitor.store.base.SchemaUpgrade): the CLI says so
    on_schema_upgrade: Callable[[object], None] | None = None
    _store: object = field(default=None, repr=False)
    _classifier: object = field(default=None, repr=False)

    @classmethod
    def from_path(cls, path: str | Path, **kwargs) -> "App":
        return cls(config=load_config(path), **kwargs)

    def now(self) -> datetime:
        return self.clock()

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.config.office.tz)

    @property
    def store(self):
        if self._store is None:
            from monitor.store import Store

            if not self.creates_database and not Path(self.config.storage.database).exists():
                raise self.no_database()

            self._store = Store(self.config.storage.database, read_only_fallback=self.reads_only)
            if self._store.upgraded is not None and self.on_schema_upgrade is not None:
                self.on_schema_upgrade(self._store.upgraded)
        return self._store

    def no_database(self):
        from monitor.errors import StoreError

        return StoreError(f"chưa có cơ sở dữ liệu ở {self.config.storage.database} (cấu hình {self.config.path}); "
                          "lệnh này chỉ làm việc trên tin đã thu thập nên không tạo cơ sở dữ liệu mới",
                          hint="chạy lệnh trong thư mục có feeds.yaml của đơn vị, hoặc chỉ ra tệp đó bằng "
                               "--config /đường/dẫn/feeds.yaml; đơn vị mới cài: `monitor init` rồi `monitor crawl` "
                               "(hoặc `monitor demo` để xem thử trên tin mẫu)")

    @property
    def classifier(self):
        """The classifier, loaded once (models are read from disk, never downloaded)."""
        if self._classifier is None:
            from classifiers.classify import load_classifier

            self._classifier = load_classifier(self.models_dir or self.config.storage.models_dir, self.config.office,
                                               rules_path=self.config.storage.rules_file)
        return self._classifier

    @classifier.setter
    def classifier(self, value) -> None:
        """Put in a classifier (a bench's stand-in), or None: loaded again from disk when next asked for."""
        self._classifier = value

    @property
    def loaded_classifier(self):
        """The classifier when it is loaded, else None: asking does not load it."""
        return self._classifier

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
