import json
from datetime import time
from pathlib import Path

import pytest

from myelectricaldata.config import DEFAULT_GATEWAY_URL, Secret, SettingsError, load_settings, mask_url


def settings(tmp_path: Path, env=None, options=None, yaml_text=None):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    opts = tmp_path / "options.json"
    if options is not None:
        opts.write_text(json.dumps(options))
    if yaml_text is not None:
        (data / "settings.yaml").write_text(yaml_text)
    return load_settings(environ={"DATA_DIR": str(data), **(env or {})}, options_file=opts)


def test_defaults(tmp_path):
    s = settings(tmp_path)
    assert s.gateway_url == DEFAULT_GATEWAY_URL
    assert (s.port, s.log_level, s.tz, s.demo, s.sync_after) == (8080, "INFO", "Europe/Paris", False, time(8, 30))
    assert s.database_url_or_default() == f"sqlite:///{(tmp_path / 'data' / 'myelectricaldata.db').resolve()}"
    assert not s.has_credentials


def test_precedence_options_over_env_over_yaml(tmp_path):
    s = settings(tmp_path, env={"CLIENT_ID": "from-env", "PORT": "9000"},
                 options={"client_id": "from-options"},
                 yaml_text="CLIENT_ID: from-yaml\nPORT: 7000\nLOG_LEVEL: debug\n")
    assert s.client_id == "from-options"
    assert s.port == 9000
    assert s.log_level == "DEBUG"
    assert s.sources["client_id"] == "options.json" and s.sources["log_level"] == "settings.yaml"


def test_empty_option_falls_through_to_next_source(tmp_path):
    s = settings(tmp_path, env={"CLIENT_SECRET": "env-secret"}, options={"client_secret": ""})
    assert s.client_secret.reveal() == "env-secret"


def test_demo_uses_its_own_database(tmp_path):
    s = settings(tmp_path, env={"DEMO": "1", "DATABASE_URL": "postgresql+psycopg://u:p@h/db"})
    assert s.demo
    assert s.database_url_or_default() == f"sqlite:///{(tmp_path / 'data' / 'demo.db').resolve()}"


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("PORT", "80a", "PORT: expected a port number"),
    ("PORT", "70000", "PORT: expected a port number"),
    ("GATEWAY_URL", "ftp://x", "GATEWAY_URL: expected an http(s) URL"),
    ("DATABASE_URL", "not a url", "DATABASE_URL: expected a URL"),
    ("DATABASE_URL", "oracle://u@h/db", "DATABASE_URL: expected sqlite, postgresql or mysql"),
    ("LOG_LEVEL", "loud", "LOG_LEVEL: expected one of"),
    ("TZ", "Mars/Olympus", "TZ: expected an IANA time zone"),
    ("DEMO", "maybe", "DEMO: expected true or false"),
    ("SYNC_AFTER", "25:00", "SYNC_AFTER: expected a time of day"),
])
def test_bad_values_name_the_setting(tmp_path, key, value, expected):
    with pytest.raises(SettingsError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        settings(tmp_path, env={key: value})


def test_secrets_never_shown(tmp_path):
    s = settings(tmp_path, env={"CLIENT_SECRET": "s3cr3t-value",
                                "DATABASE_URL": "postgresql+psycopg://me:hunter2@db/x"})
    shown = repr(s) + str(s.describe())
    assert "s3cr3t-value" not in shown and "hunter2" not in shown
    assert "***" in str(s.describe()["database_url"])
    assert repr(Secret("x")) == "Secret('***')"


def test_malformed_database_url_message_hides_password(tmp_path):
    with pytest.raises(SettingsError) as info:
        settings(tmp_path, env={"DATABASE_URL": "postgresql+psycopg://me:hunter2@db:notaport/x"})
    assert "hunter2" not in str(info.value) and "DATABASE_URL" in str(info.value)


def test_bad_yaml_names_the_file(tmp_path):
    with pytest.raises(SettingsError, match=r"settings\.yaml: not valid YAML"):
        settings(tmp_path, yaml_text="CLIENT_ID: [unclosed\n")
    with pytest.raises(SettingsError, match="expected a mapping"):
        settings(tmp_path, yaml_text="- a\n- b\n")


def test_passwords_with_slash_or_at_are_masked(tmp_path):
    with pytest.raises(SettingsError) as info:
        settings(tmp_path, env={"DATABASE_URL": "postgresql://u:p/w0rd@host:notaport/db"})
    assert "w0rd" not in str(info.value)
    assert mask_url("postgresql://u:p@ss/w0rd@host:5432/db") == "postgresql://u:***@host:5432/db"
    assert mask_url("sqlite:////data/x.db") == "sqlite:////data/x.db"


def test_bare_driver_names_use_the_shipped_drivers(tmp_path):
    assert settings(tmp_path, env={"DATABASE_URL": "mysql://root@db/x"}).database_url == "mysql+pymysql://root@db/x"
    assert settings(tmp_path, env={"DATABASE_URL": "postgresql://u:p@db/x"}).database_url == \
        "postgresql+psycopg://u:p@db/x"
    with pytest.raises(SettingsError, match="mysqldb driver is not installed"):
        settings(tmp_path, env={"DATABASE_URL": "mysql+mysqldb://root@db/x"})


@pytest.mark.parametrize(("content", "expected"), [
    (b"8080: x\n", "key 8080 is not a setting name"),
    (b"yes: 1\n", "key True is not a setting name"),
    (b"CLIENT_ID: caf\xe9\n", "not UTF-8 text"),
])
def test_unreadable_settings_files_are_named_and_ignored_by_a_lenient_start(tmp_path, content, expected):
    (tmp_path / "settings.yaml").write_bytes(content)
    env = {"DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match=expected):
        load_settings(environ=env, options_file=tmp_path / "none.json")
    settings = load_settings(environ=env, options_file=tmp_path / "none.json", lenient=True)
    assert any(expected in p for p in settings.problems) and settings.client_id == ""


def test_a_direct_port_equal_to_the_ui_port_is_refused(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "PORT": "8080", "DIRECT_PORT": "8080"}
    with pytest.raises(SettingsError, match="DIRECT_PORT: 8080 is also PORT"):
        load_settings(environ=env, options_file=tmp_path / "none.json")
    settings = load_settings(environ=env, options_file=tmp_path / "none.json", lenient=True)
    assert settings.direct_port == 0 and settings.problems


def test_a_bad_database_url_is_never_ignored(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": "oracle://u@h/db"}
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(environ=env, options_file=tmp_path / "none.json", lenient=True)
