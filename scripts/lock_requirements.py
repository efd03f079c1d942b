"""Write requirements.lock, what the image installs with ``pip --require-hashes``, from pyproject.toml.

The lock pins every package the add-on needs (the dependencies, the ``postgresql`` and ``mysql`` extras and the
build requirements, so the project itself builds without fetching anything unpinned), with the hashes of every file
PyPI holds for each pinned version, for every platform and Python the project supports. Its first lines carry a
fingerprint of those dependency lists: ``--check`` (and the test suite) compares it with pyproject.toml without
reaching PyPI.

    python scripts/lock_requirements.py          # resolve again with uv and rewrite requirements.lock
    python scripts/lock_requirements.py --check  # exit 1 when pyproject.toml's lists changed since the lock
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
LOCK = PROJECT / "requirements.lock"
EXTRAS = ("postgresql", "mysql")
COMMAND = "python scripts/lock_requirements.py"
FINGERPRINT = "# dependency lists fingerprint: "


def dependency_lists(pyproject: Path = PROJECT / "pyproject.toml") -> dict[str, list[str]]:
    """What the lock is made from: the dependencies, the image's extras and the build requirements."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    extras = data["project"].get("optional-dependencies", {})
    return {"dependencies": data["project"]["dependencies"], **{name: extras.get(name, []) for name in EXTRAS},
            "build-system": data["build-system"]["requires"]}


def fingerprint(lists: dict[str, list[str]]) -> str:
    return hashlib.sha256(json.dumps(lists, sort_keys=True).encode()).hexdigest()


def recorded_fingerprint(lock: Path = LOCK) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(FINGERPRINT):
            return line.removeprefix(FINGERPRINT).strip()
    return None


def is_current(pyproject: Path = PROJECT / "pyproject.toml", lock: Path = LOCK) -> bool:
    return recorded_fingerprint(lock) == fingerprint(dependency_lists(pyproject))


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        sys.exit("uv not found: pip install uv (the test extra has it)")
    return found


def write_lock() -> None:
    lists = dependency_lists()
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build-system.in"
        build.write_text("\n".join(lists["build-system"]) + "\n", encoding="utf-8")
        environ = {**os.environ, "UV_INDEX_URL": "https://pypi.org/simple", "UV_EXTRA_INDEX_URL": "",
                   "UV_FIND_LINKS": ""}  # only PyPI's files: a local wheel's hash would not match what the image gets
        done = subprocess.run(
            [uv(), "pip", "compile", "--quiet", "--universal", "--python-version", "3.11", "--generate-hashes",
             "--no-header", "--no-config", *[arg for name in EXTRAS for arg in ("--extra", name)],
             str(PROJECT / "pyproject.toml"), str(build)],
            capture_output=True, text=True, env=environ, cwd=PROJECT, check=False)
    if done.returncode != 0:
        sys.exit(done.stderr)
    body = done.stdout.replace(str(PROJECT) + "/", "").replace(str(build), "build-system requires")
    header = (f"# The image's Python packages, pinned with their hashes. Made by `{COMMAND}` from pyproject.toml\n"
              f"# (dependencies, extras {', '.join(EXTRAS)}, build-system requires); do not edit by hand.\n"
              f"{FINGERPRINT}{fingerprint(lists)}\n")
    LOCK.write_text(header + body, encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        if is_current():
            return 0
        print(f"requirements.lock is stale: pyproject.toml's dependency lists changed; run `{COMMAND}`",
              file=sys.stderr)
        return 1
    write_lock()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
