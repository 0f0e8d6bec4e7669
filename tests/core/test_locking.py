"""One writer at a time (fou.core.locking): a second holder waits and is told who holds it."""

from __future__ import annotations

import os
import threading
import time

import pytest

from fou.core.locking import LockTimeout, exclusive_lock


def test_a_second_holder_waits_until_the_first_lets_go(tmp_path):
    lock = tmp_path / ".lock"
    told: list[str] = []
    order: list[str] = []
    with exclusive_lock(lock):
        order.append("first")

        def second() -> None:
            with exclusive_lock(lock, on_wait=told.append, poll=0.02):
                order.append("second")

        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        assert order == ["first"]  # still waiting
        assert told and f"process {os.getpid()}" in told[0]
    t.join(5)
    assert order == ["first", "second"] and len(told) == 1


def test_waiting_gives_up_with_a_message_after_the_timeout(tmp_path):
    lock = tmp_path / ".lock"
    with exclusive_lock(lock):
        errors: list[BaseException] = []

        def second() -> None:
            try:
                with exclusive_lock(lock, timeout=0.2, poll=0.02):
                    pass
            except LockTimeout as exc:
                errors.append(exc)

        t = threading.Thread(target=second)
        t.start()
        t.join(5)
    assert errors and "används av en annan körning" in str(errors[0])


def test_the_lock_is_free_again_after_an_error(tmp_path):
    lock = tmp_path / ".lock"
    with pytest.raises(RuntimeError), exclusive_lock(lock):
        raise RuntimeError("x")
    with exclusive_lock(lock, timeout=0.1):
        pass
