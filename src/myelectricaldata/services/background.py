"""The sync the UI starts ("sync now"): one at a time, in a thread; its progress is in the database."""

from __future__ import annotations

import logging
import threading
from datetime import date

from .lock import SyncBusy
from .sync import SyncReport, SyncService

log = logging.getLogger(__name__)


class BackgroundSync:
    """Runs one sync at a time in a thread, for the UI's "sync now"; its progress is in the database."""

    def __init__(self, sync: SyncService) -> None:
        self.sync = sync
        self._thread: threading.Thread | None = None
        self.last_report: SyncReport | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, pdls: list[str] | None = None, since: date | None = None) -> bool:
        """Start a sync unless one is already running (here or in another process); True if started."""
        if self.running:
            return False

        def work() -> None:
            try:
                self.last_report = self.sync.run(pdls=pdls, since=since)
            except SyncBusy:
                log.info("sync now: another sync is running")
            except Exception:
                log.exception("sync now failed")

        self._thread = threading.Thread(target=work, name="sync-now", daemon=True)
        self._thread.start()
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Ask a running sync to stop at the next consistent point and wait for it."""
        self.sync.stop_requested.set()
        if self._thread is not None:
            self._thread.join(timeout)
