"""Classify a long stream of batches on every core, keeping the order.

Classification is pure Python text work for the most part (normalising, rule matching, n-grams), so one
process uses one core. For a large JSONL file (`monitor classify`) the batches go to forked worker processes
that share the loaded classifier with their parent (copy-on-write: the models are not loaded again or
copied), a few batches in flight at a time, and come back in input order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import TypeVar

T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")

_worker_state = None  # (function, its first argument), set in the parent just before forking; the workers inherit it


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the pool and reports it once, so the workers
    # ignore it rather than each printing its own traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # each worker already has a core to itself: numerical libraries' own threads would only oversubscribe it
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass


def _contract_records(classifier, articles: list) -> list[dict]:
    return [c.to_contract() for c in classifier.classify_many(articles, evidence=False)]


def _in_worker(articles: list):
    fn, state = _worker_state
    return fn(state, articles)


def contract_batches(classifier, batches: Iterable[tuple[list, T]], jobs: int = 1) -> Iterator[tuple[list[dict], T]]:
    """For each (articles, tag) yield (their `monitor classify` records, tag), in the order given.

    jobs > 1 forks that many workers when there is more than one batch (and the platform can fork);
    otherwise the batches are classified here, one after another."""
    return map_batches(_contract_records, classifier, batches, jobs)


def map_batches(fn: Callable[[S, list], R], state: S, batches: Iterable[tuple[list, T]],
                jobs: int = 1) -> Iterator[tuple[R, T]]:
    """For each (articles, tag) yield (fn(state, articles), tag), in the order given: `state` is what the loaded
    classifiers are (shared with forked workers, never pickled), `fn` a module-level function.

    jobs > 1 forks that many workers when there is more than one batch (and the platform can fork);
    otherwise the batches are done here, one after another."""
    global _worker_state
    it = iter(batches)
    head = list(islice(it, 2))
    # a single batch gains nothing from workers, and forking them costs more than it would save
    if jobs <= 1 or len(head) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for articles, tag in chain(head, it):
            yield fn(state, articles), tag
        return
    _worker_state = (fn, state)
    # objects alive now (the models, the vocabulary) are left out of the workers' garbage collections, which
    # would otherwise write to every one of them and so copy their pages into each worker
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_start_worker)
        try:
            in_flight: deque = deque()
            for articles, tag in chain(head, it):
                in_flight.append((pool.apply_async(_in_worker, (articles,)), tag))
                if len(in_flight) > 2 * jobs:  # bounded: a large input is never all in memory at once
                    result, t = in_flight.popleft()
                    yield result.get(), t
            while in_flight:
                result, t = in_flight.popleft()
                yield result.get(), t
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    finally:
        _worker_state = None
        gc.unfreeze()
