"""One sync at a time: an OS file lock, released by the kernel when its process dies. What changes the synced data
by hand (a purge, marking days to fetch again, an import, a migration) takes it too."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SyncBusy(RuntimeError):
    """Another sync holds the lock."""


def lock_file(data_dir: Path) -> Path:
    """The sync lock of a data directory: a sync, a purge, a re-fetch, an import and a migration each hold it while
    they write (``serve``, ``sync`` and the pages share it)."""
    return data_dir / "sync.lock"


@contextmanager
def sync_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncBusy("another sync is running; try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)
