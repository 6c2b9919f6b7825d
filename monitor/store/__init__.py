"""The only module that talks SQL: one SQLite file, WAL mode, ordered migrations in `migrations/`.

`Store` is assembled from one mixin per area so that each stage's queries stay beside each other:
articles and feeds, classifications and labels, and (in their own files) crawl state, stories and
alerts, digests, hot issues entered from outside the press. Migrations are SQL files applied in name
order and recorded in `schema_migrations`.
"""

from monitor.store.articles import ArticlesMixin
from monitor.store.base import BaseStore, from_iso, utc_iso
from monitor.store.classifications import ClassificationsMixin
from monitor.store.crawl_state import CrawlStateMixin
from monitor.store.digests import DigestsMixin
from monitor.store.intake import IntakeMixin
from monitor.store.service import ServiceMixin
from monitor.store.stories import StoriesMixin


class Store(ArticlesMixin, CrawlStateMixin, ClassificationsMixin, ServiceMixin, DigestsMixin, StoriesMixin, IntakeMixin,
            BaseStore):
    """The monitor's database. Open with `Store(path)`; migrations run on open."""


__all__ = ["Store", "utc_iso", "from_iso"]
