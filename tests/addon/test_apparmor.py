"""What the AppArmor profile lets the add-on do, path by path: the paths the image, the s6 services and the app
use are granted; the app's code, the tools, /etc and everything else stay unwritable.

The kernel here has no AppArmor, so the profile's file rules are read by a small matcher of AppArmor globs
({a,b}, *, **, ?, [..], @{PROC} and @{pids}); apparmor_parser checks the syntax in test_manifest.py."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PROFILE = PROJECT / "apparmor.txt"
VARIABLES = {"PROC": "/proc/", "pid": "\0pid\0", "pids": "\0pid\0"}
RULE = re.compile(r"^(?:owner\s+)?(?P<path>[/@]\S*)\s+(?P<perms>[rwaxmlkiuUpPcC]+)\s*,$")
PYTHON_LIB = "/usr/local/lib/python3.13"

NEEDED = [
    # s6-overlay: its entry point and execline scripts, the services' definitions, its runtime in /run
    ("/init", "rx"), ("/package/admin/s6-overlay/command/with-contenv", "rx"), ("/command/s6-svscan", "x"),
    ("/package/admin/s6-overlay/etc/s6-rc/sources/base/type", "r"),
    ("/run/s6-rc:s6-rc-init:AbCd/servicedirs/myelectricaldata/run", "rx"),
    ("/run/s6/container_environment/CLIENT_ID", "r"), ("/run/s6-linux-init-container-results/exitcode", "rw"),
    ("/run/service/.s6-svscan/control", "rw"),
    # bashio and the shell tools it uses
    ("/usr/bin/bashio", "x"), ("/usr/lib/bashio/bashio", "rx"), ("/usr/lib/bashio/bashio.sh", "r"),
    ("/usr/lib/bashio/addons.sh", "r"), ("/bin/bash", "x"), ("/bin/sh", "x"), ("/usr/bin/jq", "x"),
    ("/usr/bin/curl", "x"), ("/tmp/.bashio/addons.self.info.cache", "rwk"),
    # Python, the myelectricaldata command and its packages
    ("/usr/local/bin/python3.13", "x"), ("/usr/local/bin/myelectricaldata", "rx"),
    (f"{PYTHON_LIB}/site-packages/myelectricaldata/web/app.py", "r"),
    (f"{PYTHON_LIB}/lib-dynload/_ssl.cpython-313-x86_64-linux-musl.so", "mr"),
    ("/usr/local/lib/libpython3.13.so.1.0", "mr"), (f"{PYTHON_LIB}/site-packages/certifi/cacert.pem", "r"),
    ("/usr/lib/libsqlite3.so.0", "mr"), ("/etc/ld-musl-x86_64.path", "r"),
    # system files
    ("/etc/ssl/certs/ca-certificates.crt", "r"), ("/etc/ssl/openssl.cnf", "r"), ("/etc/resolv.conf", "r"),
    ("/etc/hosts", "r"), ("/etc/passwd", "r"), ("/etc/group", "r"), ("/etc/mime.types", "r"),
    ("/proc/1234/fd/", "r"), ("/proc/1234/mounts", "r"), ("/proc/1/cmdline", "r"),
    # data, the add-on's config folder, temporary files
    ("/data/", "r"), ("/data/options.json", "r"), ("/data/myelectricaldata.db", "rwk"),
    ("/data/myelectricaldata.db-wal", "rwk"), ("/data/myelectricaldata.db-shm", "rwk"), ("/data/session.key", "rw"),
    ("/data/sync.lock", "rwk"), ("/config/", "r"), ("/config/settings.yaml", "r"),
    ("/config/exporters/my_exporter.py", "r"), ("/config/exporters/__pycache__/my_exporter.cpython-313.pyc", "rw"),
    ("/tmp/tmpa1b2c3", "rwk"), ("/var/tmp/", "r"), ("/var/tmp/etilqs_5b1f9a", "rwk"),
    # the legacy client's database and settings, read by the migration
    ("/homeassistant/myelectricaldata/cache.db", "rk"), ("/homeassistant/myelectricaldata/config.yaml", "r"),
    ("/legacy/myelectricaldata.db", "rk"), ("/config/legacy/cache.db", "rk"),
]

FORBIDDEN = [
    # the app's code, the interpreter and the tools: never written
    (f"{PYTHON_LIB}/site-packages/myelectricaldata/web/app.py", "w"), ("/usr/local/bin/myelectricaldata", "w"),
    ("/usr/local/bin/python3.13", "w"), ("/usr/lib/bashio/bashio.sh", "w"), ("/usr/bin/jq", "w"),
    ("/bin/sh", "w"), ("/usr/lib/libsqlite3.so.0", "w"), ("/package/admin/s6-overlay/command/with-contenv", "w"),
    ("/init", "w"),
    # the services' definitions, the system's files
    ("/etc/s6-overlay/s6-rc.d/myelectricaldata/run", "w"), ("/etc/passwd", "w"), ("/etc/shadow", "r"),
    ("/etc/ssl/certs/ca-certificates.crt", "w"), ("/etc/resolv.conf", "w"),
    # folders the add-on is not given, and kernel interfaces
    ("/root/.ssh/authorized_keys", "r"), ("/homeassistant/secrets.yaml", "r"), ("/ssl/privkey.pem", "r"),
    ("/share/backup.tar", "r"), ("/media/video.mp4", "r"), ("/proc/sysrq-trigger", "w"),
    ("/proc/sys/kernel/core_pattern", "w"), ("/sys/kernel/mm/transparent_hugepage/enabled", "w"),
    ("/dev/sda", "r"), ("/dev/mem", "r"), ("/var/lib/dpkg/status", "w"),
    # code may run only from where the image puts it, never from a writable folder
    ("/data/evil", "x"), ("/config/evil", "x"), ("/tmp/evil", "x"), ("/var/tmp/evil", "x"),
    ("/data/evil.so", "m"), ("/tmp/evil.so", "m"),
    # the legacy client's database is only ever read
    ("/homeassistant/myelectricaldata/cache.db", "w"), ("/legacy/cache.db", "w"),
]


def _glob(pattern: str) -> str:
    """A regular expression for one AppArmor path glob."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.index("]", i)
            out.append(pattern[i:end + 1])  # a character class reads the same in both
            i = end
        elif char == "{":
            depth, end = 0, i
            for end in range(i, len(pattern)):
                depth += {"{": 1, "}": -1}.get(pattern[end], 0)
                if depth == 0:
                    break
            out.append("(?:" + "|".join(_glob(p) for p in _split(pattern[i + 1:end])) + ")")
            i = end
        elif char == "\0":
            end = pattern.index("\0", i + 1)
            out.append("[1-9][0-9]*")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _split(alternatives: str) -> list[str]:
    """The top-level alternatives of a {..} group."""
    parts, depth, start = [], 0, 0
    for n, char in enumerate(alternatives):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(alternatives[start:n])
            start = n + 1
    return [*parts, alternatives[start:]]


@cache
def rules() -> tuple[tuple[re.Pattern, frozenset[str]], ...]:
    """(path regex, permissions) of every file rule of the profile; a bare ``file,`` grants every path."""
    found = []
    for line in PROFILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.strip().startswith("#include") else ""
        if re.fullmatch(r"(?:owner\s+)?file\s*,", line):
            found.append((re.compile(".*"), frozenset("rwaxmlk")))
            continue
        match = RULE.match(line)
        if match:
            path = re.sub(r"@\{(\w+)\}", lambda m: VARIABLES[m.group(1)], match.group("path"))
            path = re.sub("/{2,}", "/", path)  # @{PROC}/ followed by / is one slash to AppArmor
            found.append((re.compile(_glob(path)), frozenset(match.group("perms"))))
    return tuple(found)


def granted(path: str) -> set[str]:
    """The permissions the profile gives on ``path`` (``x`` for any of ix, px, ux...)."""
    perms: set[str] = set()
    for regex, allowed in rules():
        if regex.fullmatch(path):
            perms |= allowed
    return perms


@pytest.mark.parametrize(("path", "perms"), NEEDED, ids=[f"{p} {m}" for p, m in NEEDED])
def test_what_the_add_on_uses_is_granted(path, perms):
    assert set(perms) <= granted(path), f"{path}: needs {perms}, granted {''.join(sorted(granted(path)))}"


@pytest.mark.parametrize(("path", "perm"), FORBIDDEN, ids=[f"{p} {m}" for p, m in FORBIDDEN])
def test_what_the_add_on_does_not_need_is_refused(path, perm):
    assert perm not in granted(path)


def test_no_blanket_rule():
    text = PROFILE.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(?:owner\s+)?file\s*,", text, re.MULTILINE)
    assert not re.search(r"^\s*capability\s*,", text, re.MULTILINE)
    assert not re.search(r"^\s*/\*\*?\s+\w+\s*,", text, re.MULTILINE)


@pytest.mark.parametrize("file", sorted(p for p in (PROJECT / "rootfs").rglob("*") if p.is_file()),
                         ids=lambda p: str(p.relative_to(PROJECT / "rootfs")))
def test_every_file_the_image_adds_is_readable_and_its_scripts_runnable(file):
    path = "/" + str(file.relative_to(PROJECT / "rootfs"))
    assert "r" in granted(path) and "w" not in granted(path)
    if os.access(file, os.X_OK):
        assert "x" in granted(path)


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("/run/{,**}", "/run/", True), ("/run/{,**}", "/run/s6/x", True), ("/run/{,**}", "/running", False),
    ("/etc/{hosts,resolv.conf}", "/etc/hosts", True), ("/etc/{hosts,resolv.conf}", "/etc/hostsx", False),
    ("/run/{s6,s6-rc*,service}/**", "/run/s6-rc:init:x/a/run", True), ("/usr/lib/*.so", "/usr/lib/a/b.so", False),
    ("/proc/\0pid\0/{,**}", "/proc/12/fd/", True), ("/proc/\0pid\0/{,**}", "/proc/sys/x", False),
    ("/dev/tty[0-9]", "/dev/tty1", True), ("/dev/tty?", "/dev/tty/", False),
])
def test_the_glob_matcher(pattern, path, matches):
    assert bool(re.fullmatch(_glob(pattern), path)) is matches
