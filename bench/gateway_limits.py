"""Gateway limits benchmark: the peak memory and the status of a sync whose load-curve answers are 1 GiB
(plain, with a Content-Length, or a gzip bomb), next to the same sync against a well-behaved gateway.
Each sync runs in a process of its own (tests/support/hostile_sync.py). Asserts nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {"clean": "well-behaved gateway", "chunked": "1 GiB answers, no length (chunked)",
         "declared": "1 GiB answers with their Content-Length", "gzip": "1 GiB gzip bombs"}


def measure(kind: str) -> dict:
    child = subprocess.run([sys.executable, "-m", "tests.support.hostile_sync", kind], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    lines = child.stdout.strip().splitlines()
    if child.returncode or not lines:
        return {"failed": child.stderr.strip().splitlines()[-1:] or [f"exit {child.returncode}"]}
    return json.loads(lines[-1])


def main() -> int:
    print("Sync of the 3 demo PDLs, last 30 days, SQLite, each in its own process; every load-curve request "
          "gets the answer named (cap 20 MiB, target: peak RSS < 200 MB and a clear status)")
    for kind, label in CASES.items():
        result = measure(kind)
        if "failed" in result:
            print(f"- {label}: the child failed: {result['failed'][0]}")
            continue
        stored = ", ".join(f"{k} {v:,}" for k, v in result["stored"].items())
        print(f"- {label}: peak RSS {result['peak_rss_mb']:.0f} MB ({result['peak_rss_before_sync_mb']:.0f} MB "
              f"before the sync), {result['seconds']:.2f} s, status {result['outcome']!r}; stored: {stored}")
        if result["message"]:
            print(f"  message: {result['message'][:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
