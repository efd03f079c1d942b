"""Programs the tests run as child processes: started with their output in a log, stopped whatever happens."""

from __future__ import annotations

import atexit
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from tests.support.waiting import wait_for

_running: set[subprocess.Popen] = set()


def spawn(argv: list[str], log_path: Path, **popen: Any) -> subprocess.Popen:
    """A child process writing to ``log_path``; killed at exit if a test forgets to stop it."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **popen)
    _running.add(proc)
    return proc


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
    """Send ``sig`` (SIGTERM: VictoriaMetrics flushes what it holds, the app ends its sync), SIGKILL after
    ``timeout`` s."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _running.discard(proc)


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log, "" when it was never written."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


@atexit.register
def _stop_leftovers() -> None:
    for proc in list(_running):
        proc.kill()
        proc.wait()


class ChildServer:
    """A server the tests run as a child process: ``start`` it, or use it as a context manager."""

    proc: subprocess.Popen | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def wait_ready(self, ready: Callable[[], object], what: str, log: Path, timeout: float = 20.0) -> None:
        """Wait until ``ready()`` holds (a refused connection counts as not yet); stopped, and a RuntimeError with the
        tail of ``log``, when the process exits or ``timeout`` passes first."""
        proc = self.proc
        assert proc is not None, "start the process first"
        try:
            wait_for(ready, timeout, what, lambda: None if proc.poll() is None else f"exit code {proc.returncode}",
                     interval=0.05)
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            raise RuntimeError(f"{exc}\n{tail(log, 20)}") from None

    def stop(self) -> None:
        """``stop`` the process; nothing when not started."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        stop(proc)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


_LOCK_HOLDER = """
import sys
from pathlib import Path
from myelectricaldata.services.lock import sync_lock
with sync_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def sync_lock_held_elsewhere(path: Path) -> Iterator[None]:
    """Another process holds the sync lock ``path`` (as a ``myelectricaldata sync`` run from a shell does) until
    the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", _LOCK_HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held", "the lock holder did not start"
        yield
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(10)
