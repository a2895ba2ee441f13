"""``bulk_work`` freezes the heap and raises the collector's first threshold for bulk work, and restores both."""

from __future__ import annotations

import gc
import threading

from tracker.bulk import GEN0_THRESHOLD, bulk_work


def test_the_threshold_is_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with bulk_work():
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        with bulk_work():
            assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
    assert gc.get_threshold() == before


def test_restored_after_an_error() -> None:
    before = gc.get_threshold()
    try:
        with bulk_work():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_overlapping_threads_restore_the_threshold_they_found() -> None:
    before = gc.get_threshold()
    entered = threading.Barrier(2)
    leave = threading.Event()

    def work() -> None:
        with bulk_work():
            entered.wait()
            leave.wait()

    first = threading.Thread(target=work)
    first.start()
    with bulk_work():
        entered.wait()
        leave.set()
        first.join()
        assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
    assert gc.get_threshold() == before


def test_a_disabled_collector_is_left_alone() -> None:
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with bulk_work():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_the_heap_is_frozen_inside_and_unfrozen_after() -> None:
    gc.unfreeze()
    with bulk_work():
        assert gc.get_freeze_count() > 0
        with bulk_work():
            assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_someone_else_stays_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with bulk_work():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
