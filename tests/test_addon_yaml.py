"""The user-facing files in addon/: every YAML file loads, the blueprint is a valid HA 2024.10+ automation
blueprint, and the card, the blueprint and the Energy-dashboard guide only use the exporter's names.

Each check returns a list of problems; the tests assert it is empty on the real files, and the
`test_*_catches_*` tests feed broken copies to show that every check can fail.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ADDON = Path(__file__).resolve().parent.parent / "addon"
BLUEPRINT = ADDON / "blueprints" / "automation" / "myelectricaldata" / "tempo_red_alert.yaml"
CARD = ADDON / "lovelace" / "linky-card.yaml"
GUIDE = ADDON / "energy-dashboard.md"

TEMPO_TOMORROW = "sensor.myelectricaldata_tempo_tomorrow"
EXAMPLE_PDL = "12345678901234"  # what `<pdl>` stands for in the guide

# Home Assistant core, recorder: what `async_add_external_statistics` accepts as a statistic id.
EXTERNAL_STATISTIC_ID = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_):(?!_)[\da-z_]+(?<!_)$")

# The exporter's names, written once.
_PDL = r"\d{14}"
_SLOT = r"(?:hp|hc|(?:blue|white|red)_(?:hp|hc))"
ENTITY_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"sensor\.linky_{_PDL}_consumption_(?:yesterday|week|month|year)",
        rf"sensor\.linky_{_PDL}_consumption_yesterday_{_SLOT}",
        rf"sensor\.linky_{_PDL}_(?:cost|max_power|production)_yesterday",
        rf"sensor\.linky_{_PDL}_last_sync",
        r"sensor\.myelectricaldata_tempo_(?:today|tomorrow)",
        r"sensor\.myelectricaldata_tempo_remaining_(?:blue|white|red)",
        r"sensor\.myelectricaldata_ecowatt_(?:today|tomorrow)",
    )
)
STATISTIC_PATTERNS = (
    re.compile(rf"myelectricaldata:{_PDL}_consumption(?:_{_SLOT})?(?:_cost)?"),
    re.compile(rf"myelectricaldata:{_PDL}_injection(?:_revenue)?"),
    # the legacy client's, which the guide names for the hand-over
    re.compile(rf"myelectricaldata:{_PDL}_(?:base|hc|hp|(?:blue|white|red)(?:hc|hp))_consumption(?:_cost)?"),
    re.compile(rf"myelectricaldata:{_PDL}_production(?:_revenue)?"),
)

# A mention runs from its prefix to the first character that cannot be part of an id in Markdown or
# YAML text; a trailing full stop or colon is punctuation. Anything else stays in, so "…_cost…" fails.
_MENTION_END = r"[^\s`'\"|,;()\[\]{}<>*]+"


@dataclass(frozen=True)
class Input:
    """A blueprint's `!input name`."""

    name: str


@dataclass(frozen=True)
class Secret:
    """A configuration's `!secret name`."""

    name: str


class AddonLoader(yaml.SafeLoader):
    """SafeLoader plus the two tags Home Assistant adds to YAML."""


def _named(kind: type[Input] | type[Secret]) -> Callable[[yaml.SafeLoader, yaml.Node], Input | Secret]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Input | Secret:
        if not isinstance(node, yaml.ScalarNode) or not loader.construct_scalar(node):
            raise yaml.constructor.ConstructorError(None, None, f"{node.tag} takes a name", node.start_mark)
        return kind(loader.construct_scalar(node))

    return construct


AddonLoader.add_constructor("!input", _named(Input))
AddonLoader.add_constructor("!secret", _named(Secret))


def load(text: str) -> object:
    return yaml.load(text, Loader=AddonLoader)


def walk(node: object) -> Iterator[object]:
    """Every value in a loaded document, depth first (mapping keys are not values)."""
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from walk(child)


def declared_inputs(inputs: dict) -> dict[str, dict]:
    """A blueprint's inputs by name, sections (an entry with its own `input:`) flattened."""
    found: dict[str, dict] = {}
    for name, spec in (inputs or {}).items():
        if isinstance(spec, dict) and isinstance(spec.get("input"), dict):
            found.update(declared_inputs(spec["input"]))
        else:
            found[name] = spec if isinstance(spec, dict) else {}
    return found


def _version(text: object) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(text))[:2])


def blueprint_problems(doc: object) -> list[str]:
    if not isinstance(doc, dict) or not isinstance(doc.get("blueprint"), dict):
        return ["no blueprint: mapping"]
    meta = doc["blueprint"]
    problems = []
    if not isinstance(meta.get("name"), str) or not meta["name"].strip():
        problems.append("blueprint.name missing")
    if meta.get("domain") != "automation":
        problems.append(f"blueprint.domain is {meta.get('domain')!r}, not 'automation'")
    min_version = (meta.get("homeassistant") or {}).get("min_version")
    if min_version is None or _version(min_version) < (2024, 10):
        problems.append(f"homeassistant.min_version {min_version!r} is below 2024.10")
    inputs = declared_inputs(meta.get("input"))
    used = {node.name for node in walk(doc) if isinstance(node, Input)}
    problems += [f"!input {name} is undeclared" for name in sorted(used - inputs.keys())]
    problems += [f"input {name} is declared but never used" for name in sorted(inputs.keys() - used)]
    problems += _syntax_problems(doc)
    problems += _trigger_problems(doc, inputs)
    if not any(_is_notify_selector(spec.get("selector")) for spec in inputs.values()):
        problems.append("no notify input (device selector for mobile_app, or action selector)")
    return problems


def _syntax_problems(doc: dict) -> list[str]:
    """HA 2024.10 syntax: plural top-level keys, `trigger:` (not `platform:`) in each trigger."""
    singular = [key for key in ("trigger", "condition", "action") if key in doc]
    problems = [f"top-level {key!r} instead of {key + 's'!r} (2024.10 syntax)" for key in singular]
    for key in ("triggers", "actions"):
        if not isinstance(doc.get(key), list) or not doc[key]:
            problems.append(f"{key}: missing or empty")
    for trigger in doc.get("triggers") or []:
        if not isinstance(trigger, dict) or "trigger" not in trigger or "platform" in trigger:
            problems.append(f"trigger {trigger!r} does not use 'trigger:' (2024.10 syntax)")
    return problems


def _trigger_problems(doc: dict, inputs: dict[str, dict]) -> list[str]:
    to_red = [
        trigger
        for trigger in doc.get("triggers") or []
        if isinstance(trigger, dict)
        and trigger.get("trigger") == "state"
        and (trigger.get("to") == "rouge" or (isinstance(trigger.get("to"), list) and "rouge" in trigger["to"]))
    ]
    if not to_red:
        return ["no state trigger to 'rouge'"]
    problems = []
    for trigger in to_red:
        watched = trigger.get("entity_id")
        if not isinstance(watched, Input) or inputs.get(watched.name, {}).get("default") != TEMPO_TOMORROW:
            problems.append(f"the 'rouge' trigger watches {watched!r}, not an input with default {TEMPO_TOMORROW}")
    return problems


def _is_notify_selector(selector: object) -> bool:
    if not isinstance(selector, dict):
        return False
    if "action" in selector:
        return True
    device = selector.get("device") or {}
    filters = device.get("filter") or [] if isinstance(device, dict) else []
    filters = [filters] if isinstance(filters, dict) else filters
    return any(isinstance(f, dict) and f.get("integration") == "mobile_app" for f in filters)


def statistic_problems(ids: list[str]) -> list[str]:
    problems = []
    for statistic_id in ids:
        if not EXTERNAL_STATISTIC_ID.match(statistic_id):
            problems.append(f"{statistic_id!r} is not a valid external statistic id")
        if not statistic_id.startswith("myelectricaldata:"):
            problems.append(f"{statistic_id!r} does not start with 'myelectricaldata:'")
        if not any(pattern.fullmatch(statistic_id) for pattern in STATISTIC_PATTERNS):
            problems.append(f"{statistic_id!r} is not one of the exporter's statistics")
    return problems


def entity_problems(ids: list[str]) -> list[str]:
    return [
        f"{entity_id!r} is not one of the exporter's entities"
        for entity_id in ids
        if not any(pattern.fullmatch(entity_id) for pattern in ENTITY_PATTERNS)
    ]


def card_statistics(doc: dict) -> list[str]:
    return [
        entry["entity"] if isinstance(entry, dict) else entry
        for card in doc.get("cards") or []
        if card.get("type") == "statistics-graph"
        for entry in card.get("entities") or []
    ]


def card_problems(doc: object) -> list[str]:
    if not isinstance(doc, dict) or doc.get("type") != "vertical-stack" or not doc.get("cards"):
        return ["not a vertical-stack with cards"]
    problems = []
    types = [card.get("type") for card in doc["cards"]]
    problems += [
        f"card type {kind!r} is not a core entities/statistics-graph/glance card"
        for kind in types
        if kind not in {"entities", "statistics-graph", "glance"}
    ]
    problems += [f"no {kind} card" for kind in ("entities", "statistics-graph", "glance") if kind not in types]
    for card in doc["cards"]:
        if card.get("type") != "statistics-graph":
            continue
        wanted = {"days_to_show": 30, "period": "day", "chart_type": "bar", "stat_types": ["change"]}
        problems += [
            f"statistics-graph {card.get('title')!r}: {key} is {card.get(key)!r}, not {value!r}"
            for key, value in wanted.items()
            if card.get(key) != value
        ]
        if not card.get("entities"):
            problems.append(f"statistics-graph {card.get('title')!r} has no statistics")
    return problems + statistic_problems(card_statistics(doc))


def mentions(text: str, prefix: str) -> list[str]:
    """The ids starting with `prefix` that a text mentions, `<pdl>` read as a 14-digit PDL."""
    text = text.replace("<pdl>", EXAMPLE_PDL)
    found = re.findall(rf"(?<![\w.]){re.escape(prefix)}{_MENTION_END}", text)
    return sorted({match.rstrip(".:") for match in found})


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the real files ---------------------------------------------------------------------------------------------


def test_the_files_exist():
    assert sorted(ADDON.rglob("*.yaml")), "no YAML file under addon/"
    for path in (BLUEPRINT, CARD, GUIDE):
        assert path.is_file(), path


@pytest.mark.parametrize("path", sorted(ADDON.rglob("*.yaml")), ids=lambda p: str(p.relative_to(ADDON)))
def test_every_yaml_file_loads(path):
    assert load(read(path)) is not None


def test_the_blueprint():
    assert blueprint_problems(load(read(BLUEPRINT))) == []


def test_the_card():
    assert card_problems(load(read(CARD))) == []


@pytest.mark.parametrize("path", [CARD, GUIDE, BLUEPRINT], ids=lambda p: p.name)
def test_entity_ids_mentioned_are_the_exporters(path):
    ids = mentions(read(path), "sensor.")
    assert ids, f"{path.name} mentions no sensor"
    assert entity_problems(ids) == []


@pytest.mark.parametrize("path", [CARD, GUIDE], ids=lambda p: p.name)
def test_statistic_ids_mentioned_are_the_exporters(path):
    ids = mentions(read(path), "myelectricaldata:")
    assert ids, f"{path.name} mentions no statistic"
    assert statistic_problems(ids) == []


def test_the_guide_names_every_statistic_to_pick():
    ids = set(mentions(read(GUIDE), "myelectricaldata:"))
    wanted = {
        f"myelectricaldata:{EXAMPLE_PDL}_{suffix}"
        for suffix in (
            "consumption",
            "consumption_cost",
            "consumption_hp",
            "consumption_hp_cost",
            "consumption_hc",
            "consumption_hc_cost",
            "consumption_red_hc",
            "consumption_red_hc_cost",
            "injection",
            "injection_revenue",
        )
    }
    assert sorted(wanted - ids) == []


# --- every check can fail ---------------------------------------------------------------------------------------


def _drop_name(doc):
    del doc["blueprint"]["name"]


def _script_domain(doc):
    doc["blueprint"]["domain"] = "script"


def _old_version(doc):
    doc["blueprint"]["homeassistant"]["min_version"] = "2024.6.0"


def _undeclared_input(doc):
    doc["actions"].append({"action": "light.turn_on", "target": {"entity_id": Input("not_declared")}})


def _unused_input(doc):
    doc["blueprint"]["input"]["spare"] = {"selector": {"text": None}}


def _other_default(doc):
    for spec in declared_inputs(doc["blueprint"]["input"]).values():
        if spec.get("default") == TEMPO_TOMORROW:
            spec["default"] = "sensor.myelectricaldata_tempo_today"


def _white_trigger(doc):
    for trigger in doc["triggers"]:
        if trigger.get("to") == "rouge":
            trigger["to"] = "blanc"


def _literal_entity(doc):
    for trigger in doc["triggers"]:
        if trigger.get("to") == "rouge":
            trigger["entity_id"] = TEMPO_TOMORROW


def _singular_keys(doc):
    doc["trigger"] = doc.pop("triggers")


def _platform_key(doc):
    doc["triggers"][0]["platform"] = doc["triggers"][0].pop("trigger")


def _no_notify(doc):
    for spec in doc["blueprint"]["input"].values():
        spec.get("selector", {}).pop("device", None)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_drop_name, "blueprint.name"),
        (_script_domain, "blueprint.domain"),
        (_old_version, "min_version"),
        (_undeclared_input, "!input not_declared is undeclared"),
        (_unused_input, "input spare is declared but never used"),
        (_other_default, f"not an input with default {TEMPO_TOMORROW}"),
        (_white_trigger, "no state trigger to 'rouge'"),
        (_literal_entity, f"watches {TEMPO_TOMORROW!r}"),
        (_singular_keys, "top-level 'trigger'"),
        (_platform_key, "does not use 'trigger:'"),
        (_no_notify, "no notify input"),
    ],
)
def test_the_blueprint_check_catches_a_broken_blueprint(mutate, expected):
    doc = copy.deepcopy(load(read(BLUEPRINT)))
    mutate(doc)
    problems = blueprint_problems(doc)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("statistic_id", "expected"),
    [
        (f"myelectricaldata:{EXAMPLE_PDL}__consumption", "not a valid external statistic id"),
        (f"myelectricaldata:{EXAMPLE_PDL}_consumption_", "not a valid external statistic id"),
        (f"Myelectricaldata:{EXAMPLE_PDL}_consumption", "not a valid external statistic id"),
        (f"linky:{EXAMPLE_PDL}_consumption", "does not start with 'myelectricaldata:'"),
        (f"myelectricaldata:{EXAMPLE_PDL}_consumption_today", "not one of the exporter's statistics"),
        ("myelectricaldata:1234_consumption", "not one of the exporter's statistics"),
        (f"myelectricaldata:{EXAMPLE_PDL}_production_cost", "not one of the exporter's statistics"),
    ],
)
def test_the_card_check_catches_a_wrong_statistic(statistic_id, expected):
    doc = load(read(CARD))
    graph = next(card for card in doc["cards"] if card["type"] == "statistics-graph")
    graph["entities"].append({"entity": statistic_id})
    problems = card_problems(doc)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("period", "month"),
        ("chart_type", "line"),
        ("stat_types", ["sum"]),
        ("days_to_show", 7),
        ("entities", []),
    ],
)
def test_the_card_check_catches_a_wrong_graph(key, value):
    doc = load(read(CARD))
    next(card for card in doc["cards"] if card["type"] == "statistics-graph")[key] = value
    assert card_problems(doc) != []


def test_the_card_check_catches_a_custom_card():
    doc = load(read(CARD))
    doc["cards"].append({"type": "custom:apexcharts-card"})
    assert any("custom:apexcharts-card" in problem for problem in card_problems(doc))


def test_the_entity_check_catches_a_wrong_entity():
    wrong = [
        "sensor.linky_1234_consumption_yesterday",  # not 14 digits
        f"sensor.linky_{EXAMPLE_PDL}_consumption_today",
        f"sensor.linky_{EXAMPLE_PDL}_consumption_yesterday_pink_hp",
        f"sensor.linky_{EXAMPLE_PDL}_consumption_week_hp",
        "sensor.myelectricaldata_tempo_after_tomorrow",
        "sensor.myelectricaldata_ecowatt_now",
    ]
    assert len(entity_problems(wrong)) == len(wrong)


def test_mentions_keep_what_would_be_a_broken_id():
    text = (
        "`sensor.linky_<pdl>_consumption_yesterday`. See myelectricaldata:<pdl>_consumption_… and "
        "binary_sensor.other; the prefix alone `myelectricaldata:` is no id."
    )
    assert mentions(text, "sensor.") == [f"sensor.linky_{EXAMPLE_PDL}_consumption_yesterday"]
    assert mentions(text, "myelectricaldata:") == [f"myelectricaldata:{EXAMPLE_PDL}_consumption_…"]
    assert statistic_problems(mentions(text, "myelectricaldata:")) != []


def test_the_loader_reads_home_assistant_tags():
    doc = load("a: !input tempo\nb: !secret token\n")
    assert doc == {"a": Input("tempo"), "b": Secret("token")}
    with pytest.raises(yaml.constructor.ConstructorError):
        load("a: !input [tempo]\n")
    with pytest.raises(yaml.constructor.ConstructorError):
        load("a: !unknown x\n")
