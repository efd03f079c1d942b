"""Configs stored per exporter: schema validation with field-named errors, secrets masked and kept."""

from __future__ import annotations

import pytest

from myelectricaldata.exporters.schema import MASK, ConfigField, SchemaError, check_schema, validate
from myelectricaldata.services.errors import FieldError
from tests.support.exporting import recorder_source


@pytest.fixture
def manager(make_manager, folder):
    (folder / "recorder.py").write_text(recorder_source())
    return make_manager()


def test_errors_are_named_by_field_and_nothing_is_stored(manager):
    with pytest.raises(FieldError) as refused:
        manager.save_config("recorder", {"host": "", "port": "abc", "fmt": "xml"}, enabled=True)
    assert refused.value.errors == {"host": "Champ obligatoire.", "port": "N'est pas un entier valide.",
                                    "fmt": "Choisissez parmi : json, plain."}
    assert manager.settings("recorder").config is None
    assert not manager.settings("recorder").enabled


def test_values_are_coerced_and_secrets_masked_then_kept_when_blank(manager):
    manager.save_config("recorder", {"host": "broker", "port": "1884", "token": "s3cret"}, True)
    assert manager.public_config("recorder") == {"host": "broker", "port": 1884, "token": MASK, "fmt": "json"}
    manager.save_config("recorder", {"host": "other", "port": 1885, "token": ""}, True)
    assert manager.settings("recorder").config["token"] == "s3cret"
    manager.save_config("recorder", manager.public_config("recorder"), False)
    assert manager.settings("recorder").config == {"host": "other", "port": 1885, "token": "s3cret", "fmt": "json"}


def test_connection_is_tried_before_saving(manager):
    assert manager.test_connection("recorder", {"host": "broker"}) == (True, "reached broker")
    assert manager.test_connection("recorder", {"host": "down"}) == (False, "reached down")
    refused = (False, "host: Champ obligatoire.; port: N'est pas un entier valide.")
    assert manager.test_connection("recorder", {"port": "x"}) == refused


def one_word(value: str) -> None:
    if len(value.split()) != 1:
        raise ValueError(f"« {value} » : un seul mot attendu.")


@pytest.mark.parametrize(("field", "raw", "message"), [
    (ConfigField("on", type="bool"), "peut-être", "Oui ou non attendu."),
    (ConfigField("n", type="int"), "2.5", "N'est pas un entier valide."),
    (ConfigField("n", type="int"), 2.5, "N'est pas un entier valide."),
    (ConfigField("x", type="float"), "abc", "Nombre attendu."),
    (ConfigField("x", type="float", minimum=0.5, maximum=2.5), "2,75", "Valeur de 0,5 à 2,5 attendue."),
    (ConfigField("n", type="int", minimum=1), "0", "Au moins 1 attendu."),
    (ConfigField("n", type="int", maximum=10), "11", "Au plus 10 attendu."),
    (ConfigField("mode", type="choice", choices=("a", "b")), "c", "Choisissez parmi : a, b."),
    (ConfigField("host", required=True), " ", "Champ obligatoire."),
    (ConfigField("site", check=one_word), "ma maison", "« ma maison » : un seul mot attendu."),  # the check's own
])
def test_each_refusal_is_one_french_message_at_its_field(field, raw, message):
    _, errors = validate([field], {field.name: raw})
    assert errors == {field.name: message}


def test_malformed_schemas_are_refused():
    with pytest.raises(SchemaError, match="colour"):
        check_schema([ConfigField("colour", type="colour")])
    with pytest.raises(SchemaError, match="choices"):
        check_schema([ConfigField("mode", type="choice")])
