"""Waiting for something to become true: a server up, a message received, a sync finished."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 30.0, what: str | None = None,
             alive: Callable[[], str | None] | None = None, *, interval: float = 0.1,
             retry_on: tuple[type[BaseException], ...] = (OSError,)) -> T:
    """Call ``check`` until it returns something truthy and return that. An exception of ``retry_on`` (a refused
    connection, by default) counts as not yet. ``alive`` says why the process being waited for is gone (None while
    it runs): the wait then ends at once with a RuntimeError. A TimeoutError naming ``what`` after ``timeout`` s."""
    name = what or getattr(check, "__name__", repr(check))
    deadline = time.monotonic() + timeout
    while True:
        value: T | None = None
        try:
            value = check()
            last = f"last value: {value!r}"
        except retry_on as exc:
            last = f"last error: {exc}"
        if value:
            return value
        gone = alive() if alive is not None else None
        if gone is not None:
            raise RuntimeError(f"{name}: the process exited\n{gone}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{name}: still not true after {timeout:g} s ({last})")
        time.sleep(interval)


def eventually(check: Callable[[], object], timeout: float = 60.0, interval: float = 0.1) -> bool:
    """True as soon as ``check()`` is truthy, False if it is not within ``timeout`` s: ``assert eventually(...)``."""
    try:
        wait_for(check, timeout, interval=interval, retry_on=())
    except TimeoutError:
        return False
    return True
