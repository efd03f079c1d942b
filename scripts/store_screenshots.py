"""Remake the store page's screenshots (docs/screenshots/) from the demo: a fresh data directory, the demo synced up
to today, then the dashboard at 1280 and 375 px and the consumption page at 1280 px in Debian's Chromium.

    .venv-3.11/bin/python scripts/store_screenshots.py
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SHOTS = (("dashboard-1280.png", "/", 1280, 800), ("dashboard-375.png", "/", 375, 740),
         ("consumption-1280.png", "/consumption_kwh", 1280, 800))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sync_done(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/sync", timeout=5) as answer:
            state = json.load(answer)
    except OSError:
        return False
    runs = state.get("runs") or []
    return bool(runs) and runs[0]["finished_at"] is not None and not state["progress"]["running"]


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([str(Path(sys.executable).parent / "myelectricaldata"), "demo", "--data-dir", data,
                                   "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 300
            while not sync_done(base):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the demo did not finish its first sync", file=sys.stderr)
                    return 1
                time.sleep(1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium")
                for name, path, width, height in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": height}, locale="fr-FR",
                                            timezone_id="Europe/Paris")
                    page.goto(base + path, wait_until="networkidle")
                    page.screenshot(path=str(OUT / name))
                    page.close()
                    print(f"wrote {OUT / name}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
