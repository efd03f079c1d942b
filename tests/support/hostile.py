"""A hostile gateway: the simulator behind layers that answer chosen requests the way no gateway should:
huge bodies (plain or gzip bombs, generated while sent, never held), slow drips, control characters
and script in every text field. The simulator's own faults are about the gateway's business answers;
these are about the transport, so they live here, in front of it."""

from __future__ import annotations

import json
import socketserver
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

GIB = 1 << 30
MIB = 1 << 20
_JSON = ("Content-Type", "application/json")
_PREFIX = b'{"success":true,"data":{"meter_reading":{"interval_reading":['
_ITEM = b'{"value":"1","date":"2025-10-01 00:00:00","interval_length":"PT30M","measure_type":"B"},'
TEXT_FIELDS = frozenset({"name", "pricing_option", "street", "locality", "postal_code", "insee_code", "city",
                         "country", "distribution_tariff", "contract_status", "offpeak_hours", "message", "code"})
NUL_LADEN = "\x00\x07\x1b\x7f\x85\ud800"  # NUL, BEL, ESC, DEL, C1 NEL, a lone surrogate
SCRIPT = '<script>alert("pwned")</script>'

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class Hostile:
    """WSGI: a request whose path contains one of ``answers``' keys gets that answer; the rest go to ``app``."""

    def __init__(self, app: WSGIApp, answers: dict[str, WSGIApp]) -> None:
        self.app = app
        self.answers = answers
        self.served: list[str] = []

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        for fragment, answer in self.answers.items():
            if fragment in path:
                self.served.append(path)
                return answer(environ, start_response)
        return self.app(environ, start_response)


def _blocks(size: int) -> Iterator[bytes]:
    """``size`` bytes of a load-curve envelope that never closes, made of one reused 1 MiB block."""
    block = _ITEM * (MIB // len(_ITEM))
    yield _PREFIX
    sent = len(_PREFIX)
    while sent + len(block) <= size:
        yield block
        sent += len(block)
    yield block[:size - sent]


def huge(size: int = GIB, *, declared: bool = False) -> WSGIApp:
    """A 200 of ``size`` bytes, with its Content-Length (``declared``) or without one (sent chunked)."""
    def answer(environ: dict, start_response: Callable) -> Iterable[bytes]:
        start_response("200 OK", [_JSON, *([("Content-Length", str(size))] if declared else [])])
        return _blocks(size)
    return answer


def gzip_bomb(size: int = GIB) -> WSGIApp:
    """A 200 whose gzip body inflates to ``size`` bytes (about a thousandth of that on the wire)."""
    def body() -> Iterator[bytes]:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        for block in _blocks(size):
            yield packer.compress(block)
        yield packer.flush()

    def answer(environ: dict, start_response: Callable) -> Iterable[bytes]:
        start_response("200 OK", [_JSON, ("Content-Encoding", "gzip")])
        return body()
    return answer


def drip(every: float = 0.05, lasting: float = 30.0) -> WSGIApp:
    """A 200 whose body comes one byte every ``every`` seconds, for ``lasting`` seconds at most."""
    def body() -> Iterator[bytes]:
        yield _PREFIX
        end = time.monotonic() + lasting
        while time.monotonic() < end:
            time.sleep(every)
            yield b" "
    def answer(environ: dict, start_response: Callable) -> Iterable[bytes]:
        start_response("200 OK", [_JSON])
        return body()
    return answer


class Tainted:
    """WSGI: the JSON answers of ``app`` with ``taint`` applied to every string under a key of ``keys``."""

    def __init__(self, app: WSGIApp, taint: Callable[[str], str], keys: frozenset[str] = TEXT_FIELDS) -> None:
        self.app, self.taint, self.keys = app, taint, keys

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def capture(status: str, headers: list, exc_info: object = None) -> Callable:
            seen.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        if any(k.lower() == "content-type" and "json" in v for k, v in seen["headers"]):
            body = json.dumps(self._rewrite(json.loads(body))).encode()
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        start_response(seen["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _rewrite(self, value: object, key: str = "") -> object:
        if isinstance(value, dict):
            return {k: self._rewrite(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._rewrite(v, key) for v in value]
        return self.taint(value) if isinstance(value, str) and key in self.keys else value


def nul_laden(value: str) -> str:
    """``value`` with control characters at its start, in its middle and at its end."""
    middle = len(value) // 2
    return f"{NUL_LADEN}{value[:middle]}\x00{value[middle:]}\t\r\n{NUL_LADEN}"


def script_laden(value: str) -> str:
    return f"{value}{SCRIPT}"


class _Dripping(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: DripServer = self.server  # type: ignore[assignment]
        with suppress(OSError):
            if server.tls is not None:
                self.request = server.tls.wrap_socket(self.request, server_side=True)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                request += chunk
            self.request.sendall(server.head)
            end = time.monotonic() + server.lasting
            try:
                while time.monotonic() < end and not server.stopping.is_set():
                    time.sleep(server.every)
                    self.request.sendall(b"x")
            except OSError:
                server.endings.append("client gone")
                raise
            server.endings.append("drip over")


class DripServer(socketserver.ThreadingTCPServer):
    """A raw HTTP server (HTTPS with a ``tls`` context) that sends ``head`` then one byte every ``every``
    seconds, for ``lasting`` at most: with a head cut inside the status line or the headers, even the
    headers never end."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, head: bytes, every: float = 0.05, lasting: float = 30.0,
                 tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Dripping)
        self.head, self.every, self.lasting, self.tls = head, every, lasting, tls
        self.stopping = threading.Event()
        self.endings: list[str] = []  # per connection: "client gone" (it hung up) or "drip over"
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server_address[1]}/api"


@contextmanager
def dripping(head: bytes, every: float = 0.05, lasting: float = 30.0,
             tls: ssl.SSLContext | None = None) -> Iterator[DripServer]:
    server = DripServer(head, every, lasting, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)



def self_signed(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the certificate a client should trust (made by openssl)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


def wait_for(check: Callable[[], object], timeout: float = 60.0) -> object:
    """``check()`` once it is truthy (polled), or its last value after ``timeout``."""
    end = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < end:
        time.sleep(0.02)
    return found
