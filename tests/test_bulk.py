"""``fewer_collections`` raises the collector's first threshold for bulk work and restores it."""

from __future__ import annotations

import gc
import threading

from tracker.bulk import GEN0_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        with fewer_collections():
            assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
    assert gc.get_threshold() == before


def test_restored_after_an_error() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_overlapping_threads_restore_the_threshold_they_found() -> None:
    before = gc.get_threshold()
    entered = threading.Barrier(2)
    leave = threading.Event()

    def work() -> None:
        with fewer_collections():
            entered.wait()
            leave.wait()

    first = threading.Thread(target=work)
    first.start()
    with fewer_collections():
        entered.wait()
        leave.set()
        first.join()
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
    assert gc.get_threshold() == before


def test_a_disabled_collector_is_left_alone() -> None:
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
