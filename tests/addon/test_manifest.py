"""The files the Supervisor reads beside config.yaml: manifest, build, translations, pictures, AppArmor, store."""

from __future__ import annotations

import copy
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageStat

from myelectricaldata import __version__
from myelectricaldata.config import KEYS
from tests.support.addon_linter import build_errors, config_errors
from tests.support.required import binary

PROJECT = Path(__file__).resolve().parents[2]
# SUP supervisor/apps/options.py RE_SCHEMA_ELEMENT: the option types the Supervisor accepts
SCHEMA_ELEMENT = re.compile(
    r"^(?:|bool|email|url|port|device(?:\(subsystem=[a-z]+\))?|str(?:\(\d*,\d*\))?|password(?:\(\d*,\d*\))?"
    r"|int(?:\(-?\d*,-?\d*\))?|float(?:\(-?\d*\.?\d*,-?\d*\.?\d*\))?|match\(.*\)|list\(.+\))\??$")
S6_RULES = ("/init ix,", "/bin/** ix,", "/usr/bin/** ix,", "/run/{s6,s6-rc*,service}/** ix,", "/package/** ix,",
            "/command/** ix,", "/etc/services.d/** rwix,", "/etc/cont-init.d/** rwix,", "/etc/cont-finish.d/** rwix,",
            "/run/{,**} rwk,", "/dev/tty rw,", "/usr/lib/bashio/** ix,", "/tmp/** rwk,")


def load(name: str) -> dict:
    return yaml.safe_load((PROJECT / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config() -> dict:
    return load("config.yaml")


def test_config_yaml_passes_the_linter(config):
    assert config_errors(config) == []


def test_build_yaml_passes_the_linter(config):
    build = load("build.yaml")
    assert build_errors(build) == []
    assert set(build["build_from"]) == set(config["arch"])
    assert all("base-python" in image for image in build["build_from"].values())


@pytest.mark.parametrize(("change", "expected"), [
    ({"init": True}, "'init' should be removed, it uses a default value"),
    ({"ingress_port": 8099}, "'ingress_port' should be removed, it uses a default value"),
    ({"panel_icon": "mdi:puzzle"}, "'panel_icon' should be removed, it uses a default value"),
    ({"boot": "auto"}, "'boot' should be removed, it uses a default value"),
    ({"watchdog": "http://[HOST]:[PORT:8080]/healthz"}, "'watchdog', is obsolete."),
    ({"webui": "http://[HOST]:[PORT:8080]/"}, "'webui' should be removed, Ingress is enabled."),
    ({"arch": ["amd64", "sparc"]}, "'sparc' is not one of"),
    ({"services": ["mqtt:maybe"]}, "does not match"),
    ({"unknown_key": 1}, "Additional properties are not allowed"),
])
def test_the_linter_check_catches_what_the_linter_rejects(config, change, expected):
    broken = {**copy.deepcopy(config), **change}
    assert any(expected in error for error in config_errors(broken)), config_errors(broken)


def test_the_build_check_catches_a_default_and_a_bad_image():
    assert "'squash' should be removed, it uses a default value" in build_errors({"squash": False})
    assert build_errors({"build_from": {"amd64": "not an image!"}}) != []


def test_the_manifest_has_what_the_add_on_needs(config):
    assert config["slug"] == "myelectricaldata" and re.fullmatch(r"[-_.A-Za-z0-9]+", config["slug"])
    assert config["arch"] == ["aarch64", "amd64"]
    assert config["init"] is False
    assert (config["ingress"], config["ingress_port"]) == (True, 8080)
    assert config["panel_icon"].startswith("mdi:") and config["panel_title"]
    assert config["ports"] == {"8081/tcp": None} and "8081/tcp" in config["ports_description"]
    assert config["homeassistant_api"] is True
    assert "mqtt:want" in config["services"]
    assert "addon_config:rw" in config["map"]
    assert "homeassistant_config:ro" in config["map"]  # the legacy client's database, read by the migration
    assert config["url"].startswith("https://")
    assert "webui" not in config and "watchdog" not in config


def test_versions_are_in_step(config):
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert config["version"] == pyproject["project"]["version"] == __version__
    assert f"ARG BUILD_VERSION={config['version']}" in dockerfile


def test_options_are_typed_and_optional_where_they_should_be(config):
    schema, options = config["schema"], config["options"]
    assert schema == {
        "client_id": "str?", "client_secret": "password?", "gateway_url": "url?", "database_url": "str?",
        "sync_after": schema["sync_after"], "api_token": "password?", "log_level": "list(debug|info|warning|error)",
        "demo": "bool",
    }
    assert schema["sync_after"].startswith("match(") and schema["sync_after"].endswith(")?")
    for key, kind in schema.items():
        assert SCHEMA_ELEMENT.match(kind), f"{key}: {kind!r} is not a Supervisor option type"
    assert set(options) <= set(schema)
    # an optional option given a value in options would become required (DEVDOCS configuration.md)
    assert [key for key in options if schema[key].endswith("?")] == []
    assert options == {"log_level": "info", "demo": False}


def test_sync_after_pattern_matches_what_the_app_reads(config):
    pattern = re.compile(config["schema"]["sync_after"].removeprefix("match(").removesuffix(")?"))
    for good in ("08:30", "0:05", "23:59", "7:00"):
        assert pattern.fullmatch(good), good
    for bad in ("24:00", "8h30", "08:60", "0830", ""):
        assert not pattern.fullmatch(bad), bad


def test_every_option_is_a_setting_of_the_app(config):
    assert [key for key in config["schema"] if key.upper() not in KEYS] == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_translations_cover_every_option_and_port(config, language):
    translation = load(f"translations/{language}.yaml")
    assert set(translation["configuration"]) == set(config["schema"])
    for key, entry in translation["configuration"].items():
        assert entry.get("name") and entry.get("description"), f"{language}: {key}"
    assert set(translation["network"]) == set(config["ports"])


def _picture(name: str) -> Image.Image:
    image = Image.open(PROJECT / name)
    assert image.format == "PNG"
    return image.convert("RGBA")


def _is_a_picture(image: Image.Image) -> bool:
    """Many colours spread over the image, not one flat colour (nor a few)."""
    colours = image.getcolors(maxcolors=1 << 20) or []
    spread = ImageStat.Stat(image.convert("RGB")).stddev
    return len(colours) > 64 and max(spread) > 20


def test_icon_is_a_square_128_pixel_picture():
    icon = _picture("icon.png")
    assert icon.size == (128, 128)
    assert _is_a_picture(icon)


def test_logo_is_about_250_by_100_and_a_picture():
    logo = _picture("logo.png")
    width, height = logo.size
    assert 200 <= width <= 300 and 80 <= height <= 120
    assert _is_a_picture(logo)


def test_the_picture_check_refuses_a_flat_image():
    assert not _is_a_picture(Image.new("RGBA", (128, 128), (11, 107, 203, 255)))


def _parses(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([binary("apparmor_parser"), "-Q", "-K", "-T", str(path)], capture_output=True, text=True,
                          timeout=60)


def test_apparmor_profile_parses_and_is_named_after_the_slug(config):
    done = _parses(PROJECT / "apparmor.txt")
    assert done.returncode == 0, done.stderr
    text = (PROJECT / "apparmor.txt").read_text(encoding="utf-8")
    assert re.search(rf"^profile {re.escape(config['slug'])} flags=\(attach_disconnected,mediate_deleted\) \{{$",
                     text, re.MULTILINE)
    rules = {line.strip() for line in text.splitlines()}
    assert [rule for rule in S6_RULES if rule not in rules] == []
    assert "/data/** rwk," in rules and "network inet stream," in rules


def test_the_apparmor_check_refuses_a_broken_profile(tmp_path):
    broken = tmp_path / "apparmor.txt"
    broken.write_text((PROJECT / "apparmor.txt").read_text(encoding="utf-8").replace("/dev/tty rw,", "/dev/tty rw"))
    assert _parses(broken).returncode != 0


def test_repository_yaml_lets_the_store_add_the_repo():
    repository = load("repository.yaml")
    assert repository["name"] and repository["url"].startswith("https://") and repository["maintainer"]


def test_only_the_manifest_is_named_config_yaml():
    found = [p.relative_to(PROJECT) for p in PROJECT.rglob("config.y*ml")
             if not any(part.startswith(".") or part == "node_modules" for part in p.relative_to(PROJECT).parts)]
    assert found == [Path("config.yaml")]
