"""Configs stored per exporter: schema validation with field-named errors, secrets masked and kept."""

from __future__ import annotations

import pytest

from myelectricaldata.exporters.schema import MASK, ConfigField, SchemaError, check_schema
from tests.support.exporting import recorder_source


@pytest.fixture
def manager(make_manager, folder):
    (folder / "recorder.py").write_text(recorder_source())
    return make_manager()


def test_errors_are_named_by_field_and_nothing_is_stored(manager):
    errors = manager.save_config("recorder", {"host": "", "port": "abc", "fmt": "xml"}, enabled=True)
    assert errors == {"host": "required", "port": "expected a whole number", "fmt": "expected one of json, plain"}
    assert manager.settings("recorder").config is None
    assert not manager.settings("recorder").enabled


def test_values_are_coerced_and_secrets_masked_then_kept_when_blank(manager):
    assert manager.save_config("recorder", {"host": "broker", "port": "1884", "token": "s3cret"}, True) == {}
    assert manager.public_config("recorder") == {"host": "broker", "port": 1884, "token": MASK, "fmt": "json"}
    assert manager.save_config("recorder", {"host": "other", "port": 1885, "token": ""}, True) == {}
    assert manager.settings("recorder").config["token"] == "s3cret"
    assert manager.save_config("recorder", manager.public_config("recorder"), False) == {}
    assert manager.settings("recorder").config == {"host": "other", "port": 1885, "token": "s3cret", "fmt": "json"}


def test_connection_is_tried_before_saving(manager):
    assert manager.test_connection("recorder", {"host": "broker"}) == (True, "reached broker")
    assert manager.test_connection("recorder", {"host": "down"}) == (False, "reached down")
    refused = (False, "host: required; port: expected a whole number")
    assert manager.test_connection("recorder", {"port": "x"}) == refused


def test_malformed_schemas_are_refused():
    with pytest.raises(SchemaError, match="colour"):
        check_schema([ConfigField("colour", type="colour")])
    with pytest.raises(SchemaError, match="choices"):
        check_schema([ConfigField("mode", type="choice")])
