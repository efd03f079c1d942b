"""Settings: one typed, frozen object built once at start-up.

Sources, highest first: the Supervisor's ``/data/options.json`` (``OPTIONS_FILE`` moves it), the environment,
``settings.yaml`` in the add-on's config folder (``/config``, under the Supervisor) and in the data directory, then
defaults. Keys are matched without regard to case, so the add-on's ``client_id`` option and the ``CLIENT_ID`` variable
are the same setting.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_GATEWAY_URL = "https://www.v2.myelectricaldata.fr/api"
OPTIONS_FILE = Path("/data/options.json")
ADDON_CONFIG_DIR = Path("/config")  # the add-on's own folder (map: addon_config), for plugins and settings.yaml
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# a bad DATABASE_URL stops even a lenient start: falling back to the default database would hide the user's data
# (and a standalone UI password stored there) behind an empty one
NEVER_IGNORED = frozenset({"DATABASE_URL"})
KEYS = (
    "CLIENT_ID", "CLIENT_SECRET", "GATEWAY_URL", "DATABASE_URL", "DATA_DIR", "PORT",
    "LOG_LEVEL", "TZ", "DEMO", "SYNC_AFTER", "DIRECT_PORT", "API_TOKEN", "TRUSTED_NETWORKS",
    "UI_PASSWORD", "ALLOWED_HOSTS", "TRUST_LOOPBACK",
)


class SettingsError(ValueError):
    """A setting has a value the application cannot use; the message names it."""


class Secret:
    """A string that never shows itself in repr, str or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('***')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class Settings:
    client_id: str = ""
    client_secret: Secret = field(default_factory=lambda: Secret(""))
    gateway_url: str = DEFAULT_GATEWAY_URL
    database_url: str = ""
    data_dir: Path = Path("data")
    port: int = 8080
    log_level: str = "INFO"
    tz: str = "Europe/Paris"
    demo: bool = False
    sync_after: time = time(8, 30)
    direct_port: int = 0  # 0: no direct-access listener
    api_token: Secret = field(default_factory=lambda: Secret(""))
    trusted_networks: tuple[str, ...] = ()
    ui_password: Secret = field(default_factory=lambda: Secret(""))  # standalone: the UI password, set at start-up
    allowed_hosts: tuple[str, ...] = ()  # standalone: host names the UI answers to besides the automatic ones
    trust_loopback: bool = True  # standalone: loopback needs no password (off behind a reverse proxy on this host)
    supervised: bool = False  # running as a Home Assistant add-on
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    problems: tuple[str, ...] = field(default=(), compare=False)  # values ignored by a lenient load

    @property
    def has_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def database_url_or_default(self) -> str:
        """The configured database, or SQLite in the data directory. Demo mode always uses its own
        ``demo.db`` there, so simulated data never mixes with real data."""
        if self.demo:
            return f"sqlite:///{(self.data_dir / 'demo.db').resolve()}"
        return self.database_url or f"sqlite:///{(self.data_dir / 'myelectricaldata.db').resolve()}"

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{k}={v}' for k, v in self.describe().items())})"

    def describe(self) -> dict[str, str]:
        """Each setting with where it came from; secrets masked, database passwords hidden."""
        out = {}
        for f in fields(self):
            if f.name in ("sources", "problems"):
                continue
            value = getattr(self, f.name)
            if f.name == "database_url" and value:
                value = mask_url(value)
            out[f.name] = f"{value} ({self.sources.get(f.name, 'default')})"
        return out


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    return re.sub(r"(//[^:/@]*:).*@", r"\1***@", url)


def _read_yaml(path: Path) -> dict[str, object]:
    import yaml

    try:
        data = yaml.safe_load(_read_text(path)) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping of KEY: value, got {type(data).__name__}")
    return _string_keys(path, data)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def _string_keys(path: Path, data: dict) -> dict[str, object]:
    """The mapping, refused when a key is not text (``8080:``, ``yes:`` and ``null:`` are not keys here)."""
    for key in data:
        if not isinstance(key, str):
            raise SettingsError(f"{path}: key {key!r} is not a setting name (write names such as CLIENT_ID:)")
    return data


def _read_options(path: Path) -> dict[str, object]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path}: not valid JSON (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a JSON object")
    return _string_keys(path, data)


def _pick(layers: list[tuple[str, Mapping[str, object]]], key: str) -> tuple[object, str, str] | None:
    """The first value set for ``key``: (value, source, the key as that source spells it)."""
    for source, layer in layers:
        for k, v in layer.items():
            if k.upper() == key and v is not None and v != "":
                return v, source, k
    return None


def _as_bool(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{key}: expected true or false (1/0), got {value!r}")


def _as_port(key: str, value: object) -> int:
    try:
        port = int(str(value))
    except ValueError:
        raise SettingsError(f"{key}: expected a port number between 1 and 65535, got {value!r}") from None
    if not 1 <= port <= 65535:
        raise SettingsError(f"{key}: expected a port number between 1 and 65535, got {port}")
    return port


def _as_gateway_url(key: str, value: object) -> str:
    url = str(value).strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(
            f"{key}: expected an http(s) URL such as {DEFAULT_GATEWAY_URL}, got {mask_url(url)!r}")
    return url


def _as_database_url(key: str, value: object) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = str(value).strip()
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise SettingsError(
            f"{key}: expected a URL such as sqlite:////data/myelectricaldata.db, "
            f"postgresql+psycopg://user:password@host/db or mysql+pymysql://user:password@host/db, "
            f"got {mask_url(url)!r}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "mysql", "mariadb"):
        raise SettingsError(f"{key}: expected sqlite, postgresql or mysql, got {backend!r}")
    drivers = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql"}
    if parsed.drivername in drivers:  # the drivers this application ships with
        url = parsed.set(drivername=drivers[parsed.drivername]).render_as_string(hide_password=False)
    elif backend != "sqlite" and parsed.get_driver_name() not in ("psycopg", "pymysql"):
        raise SettingsError(f"{key}: the {parsed.get_driver_name()} driver is not installed; "
                            f"use {drivers[backend]}://...")
    return url


def _as_networks(key: str, value: object) -> tuple[str, ...]:
    import ipaddress

    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    out = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(f"{key}: expected networks such as 192.168.1.0/24, got {item!r}") from None
    return tuple(out)


def _as_hosts(key: str, value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    out = []
    for item in (str(i).strip().lower().rstrip(".") for i in items):
        if not item:
            continue
        if item != "*" and not re.fullmatch(r"\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*",
                                            item):
            raise SettingsError(f"{key}: expected host names such as linky.example.org or .example.org (that "
                                f"domain and its subdomains), or *, got {item!r}")
        out.append(item)
    return tuple(out)


def _as_optional_port(key: str, value: object) -> int:
    return 0 if str(value).strip() in ("0", "") else _as_port(key, value)


def _as_level(key: str, value: object) -> str:
    level = str(value).strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"{key}: expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def _as_tz(key: str, value: object) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{key}: expected an IANA time zone such as Europe/Paris, got {value!r}") from None
    return str(value)


def _as_time(key: str, value: object) -> time:
    match = re.fullmatch(r"(\d{1,2})[:hH](\d{2})", str(value).strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise SettingsError(f"{key}: expected a time of day as HH:MM, got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def load_settings(
    environ: Mapping[str, str] | None = None,
    options_file: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    lenient: bool = False,
) -> Settings:
    """Build the Settings, CLI flags first; ``lenient`` leaves a bad value out and keeps its message in ``problems``."""
    environ = os.environ if environ is None else environ
    if options_file is None:
        options_file = Path(environ.get("OPTIONS_FILE") or OPTIONS_FILE)
    problems: list[str] = []

    def read(reader, path: Path) -> dict[str, object]:
        try:
            return reader(path)
        except SettingsError as exc:
            if not lenient:
                raise
            problems.append(str(exc))
            return {}

    supervised = options_file.is_file() or bool(environ.get("SUPERVISOR_TOKEN"))
    layers: list[tuple[str, Mapping[str, object]]] = []
    if overrides:
        layers.append(("command line", overrides))
    if options_file.is_file():
        layers.append(("options.json", read(_read_options, options_file)))
    layers.append(("environment", {k: v for k, v in environ.items() if k.upper() in KEYS}))

    found = _pick(layers, "DATA_DIR")
    default_dir = "/data" if Path("/data").is_dir() and options_file.is_file() else "data"
    data_dir = Path(str(found[0] if found else default_dir))
    yaml_files = [data_dir / "settings.yaml"]
    if supervised:
        yaml_files.insert(0, Path(environ.get("ADDON_CONFIG_DIR") or ADDON_CONFIG_DIR) / "settings.yaml")
    for yaml_file in yaml_files:
        if yaml_file.is_file():
            label = "settings.yaml" if yaml_file.parent == data_dir else str(yaml_file)
            layers.append((label, read(_read_yaml, yaml_file)))

    values: dict[str, object] = {"data_dir": data_dir}
    sources: dict[str, str] = {"data_dir": found[1] if found else "default"}
    convert = {
        "CLIENT_ID": lambda k, v: str(v).strip(),
        "CLIENT_SECRET": lambda k, v: Secret(str(v).strip()),
        "GATEWAY_URL": _as_gateway_url,
        "DATABASE_URL": _as_database_url,
        "PORT": _as_port,
        "LOG_LEVEL": _as_level,
        "TZ": _as_tz,
        "DEMO": _as_bool,
        "SYNC_AFTER": _as_time,
        "DIRECT_PORT": _as_optional_port,
        "API_TOKEN": lambda k, v: Secret(str(v).strip()),
        "TRUSTED_NETWORKS": _as_networks,
        "UI_PASSWORD": lambda k, v: Secret(str(v)),
        "ALLOWED_HOSTS": _as_hosts,
        "TRUST_LOOPBACK": _as_bool,
    }
    for key, fn in convert.items():
        hit = _pick(layers, key)
        if hit is None:
            continue
        value, source, spelled = hit
        try:
            values[key.lower()] = fn(spelled if source == "options.json" else key, value)
        except SettingsError as exc:
            if not lenient or key in NEVER_IGNORED:
                raise
            problems.append(f"{exc} (from {source})")
            continue
        sources[key.lower()] = source
    if values.get("direct_port") and values["direct_port"] == values.get("port", Settings.port):
        clash = SettingsError(f"DIRECT_PORT: {values['direct_port']} is also PORT, the UI's port; expected another "
                              "port (or none)")
        if not lenient:
            raise clash
        problems.append(str(clash))
        del values["direct_port"]
    return Settings(**values, supervised=supervised, sources=sources, problems=tuple(problems))
