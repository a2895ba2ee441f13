"""The per-postmortem sync lock excludes other threads and processes, on both databases."""

from __future__ import annotations

import threading
import time

import pytest

from tracker.errors import StoreError
from tracker.locks import postmortem_lock
from tracker.store import Store


def test_lock_excludes_a_second_holder_until_released(store: Store) -> None:
    other = Store(store.url)
    order: list[str] = []
    held = threading.Event()
    waited = threading.Event()

    def first() -> None:
        with postmortem_lock(store, "INC-1"):
            order.append("first in")
            held.set()
            waited.wait(5)
            time.sleep(0.1)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(5)
    with postmortem_lock(other, "INC-1", on_wait=waited.set):
        order.append("second in")
    thread.join()
    other.dispose()
    assert waited.is_set()
    assert order == ["first in", "first out", "second in"]


def test_other_postmortems_are_not_blocked(store: Store) -> None:
    other = Store(store.url)
    with postmortem_lock(store, "INC-1"), postmortem_lock(other, "INC-2", timeout=1):
        pass
    other.dispose()


def test_timeout_is_a_clear_error(store: Store) -> None:
    other = Store(store.url)
    with (
        postmortem_lock(store, "INC-1"),
        pytest.raises(StoreError, match="another pmt sync of INC-1"),
        postmortem_lock(other, "INC-1", timeout=0.2),
    ):
        pass
    # Released: it can be taken again.
    with postmortem_lock(other, "INC-1", timeout=1):
        pass
    other.dispose()


def test_lock_is_released_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError), postmortem_lock(store, "INC-1"):
        raise RuntimeError("boom")
    other = Store(store.url)
    with postmortem_lock(other, "INC-1", timeout=1):
        pass
    other.dispose()
