"""The energy balance page (/bilan): the balance service's rows as a chart and a table, its peak power and sensor
forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from ...energy.balance import YIELD
from ...energy.coverage import coverage_by_period, marked, short_mark
from ...services import balance
from ...services.balance import BalancePoint
from ...services.errors import FieldError
from ...supervisor import ENTITY
from ..context import app_services, app_settings
from ..formatting import MONTHS, amount, num, period_label
from ..forms import FrenchForm, add_field_errors
from .charts import chart, kwh_text, kwh_value, midnight
from .downloads import MONTH_SHORT, csv_response, file_name, marked_columns, on_categories, wants_csv
from .periods import BadInput, chosen_pdl, default_start, read_period

bp = Blueprint("balance", __name__)

VIEWS = {"day": "Jour", "month": "Mois"}
MAX_DAYS = {"day": 366, "month": 1096}


class KwcForm(FrenchForm):
    kwc = StringField("Puissance crête installée (kWc ; vide : pas d'estimation)")

    def validate_kwc(self, field: Field) -> None:
        if field.data and field.data.strip():
            try:
                balance.parse_kwc(field.data.strip())
            except FieldError as exc:
                raise ValidationError(exc.errors["kwc"]) from None


class SensorForm(FrenchForm):
    sensor = StringField("Capteur Home Assistant de la production totale (ex. sensor.onduleur_energie_totale ; "
                         "vide : aucun)")

    def validate_sensor(self, field: Field) -> None:
        if field.data and field.data.strip() and not ENTITY.fullmatch(field.data.strip()):
            raise ValidationError(f"« {field.data.strip()} » n'est pas un identifiant de capteur : "
                                  "sensor. suivi de minuscules, chiffres ou _ (ex. sensor.onduleur_energie_totale).")


def _table(result: balance.Balance, view: str) -> dict:
    """The chart and table of the rows, with a total row; the production columns when its ``source`` is known."""
    rows, estimate, revenue = result.rows, bool(result.source), result.buyback is not None
    adj = " estimée" if result.source == "kwc" else ""
    head = ["Période", "Soutirage (kWh)", "Injection (kWh)", "Bilan net (kWh)"]
    head += ["Revenu de la production (€)"] if revenue else []
    head += [f"Production totale {'estimée' if adj else 'mesurée'} (kWh)", f"Autoconsommation{adj} (kWh)",
             f"Autosuffisance{adj} (%)"] if estimate else []
    cells = []
    cover = coverage_by_period(result.days_with_data, view) if view == "month" else {}
    for r in [*rows, result.total]:
        row = [marked(period_label(r.day, view), cover.get(r.day)) if r.day else "Total",
               kwh_text(r.imported), kwh_text(r.injected), kwh_text(r.net)]
        if revenue:
            row.append("—" if r.revenue is None else amount(r.revenue))
        if estimate:
            share = r.sufficiency
            row += [kwh_text(r.production), kwh_text(r.self_consumed),
                    "—" if share is None else num(float(share * 100), 1)]
        cells.append(row)
    values = [{"label": "Soutirage", "unit": "kWh", "values": [kwh_value(r.imported) for r in rows]},
              {"label": "Injection", "unit": "kWh", "values": [kwh_value(r.injected) for r in rows]},
              {"label": "Bilan net", "unit": "kWh", "values": [kwh_value(r.net) for r in rows]}]
    if estimate:
        values.append({"label": f"Autoconsommation{adj}", "unit": "kWh",
                       "values": [kwh_value(r.self_consumed) for r in rows]})
    block = chart(f"balance-{view}", f"Bilan par {VIEWS[view].lower()}", "bars",
                  [midnight(r.day) for r in rows if r.day], values, head, cells)
    aux = [1, 2, *range(4, len(head))]  # the net balance is the key figure
    if view == "day":
        return marked_columns(block, 3, aux)
    months = [short_mark(f"{MONTH_SHORT[r.day.month - 1]} {r.day.year}", cover.get(r.day)) for r in rows if r.day]
    return on_categories(block, months, key=3, aux=aux)


def _summary(result: balance.Balance, start: date, end: date) -> dict[str, Any]:
    """The range's net balance (import − injection) and where the data lies when it covers less than the range."""
    days = result.days_with_data
    out: dict[str, Any] = {"total": None if result.total.net is None else kwh_text(result.total.net),
                           "extra": "de bilan net", "days": len(days), "length": (end - start).days + 1}
    if days and (days[0], days[-1]) != (start, end):
        out["available"] = f"Données disponibles du {days[0]:%d/%m/%Y} au {days[-1]:%d/%m/%Y}"
    return out


def _render(points: list[BalancePoint], point: BalancePoint, form: KwcForm | None = None,
            sensor_form: SensorForm | None = None, status: int = 200) -> Any:
    services = app_services()
    supervised = app_settings().supervised
    engine, today = services.engine, services.today()
    try:
        view, start, end, notes = read_period(VIEWS, MAX_DAYS, today, lambda v: default_start(v, today))
    except BadInput as exc:
        return render_template("error.html", status=400, message=str(exc)), 400
    pdl = point.usage_point_id
    result = balance.balance(engine, point, start, end, view, read_sensor=supervised)
    kwc, buyback = result.settings.kwc, result.buyback
    sensor = result.settings.sensor if supervised else ""
    charts = [_table(result, view)] if result.rows else []
    if wants_csv():
        if not charts:
            abort(404)
        return csv_response(file_name("bilan", point.label, start, end), charts[0]["head"], charts[0]["rows"])
    yields = [(MONTHS[i], num(y)) for i, y in enumerate(YIELD)]
    linked = next((p.label for p in points if p.usage_point_id == point.linked), point.linked)
    return render_template(
        "bilan.html", title="Bilan", points=points, pdl=pdl, point=point, linked_label=linked, views=VIEWS,
        view=view, start=start, end=end, notes=notes, charts=charts, summary=_summary(result, start, end),
        yields=yields, yearly=num(sum(YIELD)),
        form=form or KwcForm(kwc="" if kwc is None else num(float(kwc), 2)), source=result.source,
        supervised=supervised, sensor=sensor, sensor_error=result.sensor_error,
        sensor_form=sensor_form or SensorForm(sensor=sensor), kwc=None if kwc is None else num(float(kwc), 2),
        buyback=None if buyback is None else num(float(buyback), 4)), status


def _point(points: list[BalancePoint], pdl: str) -> BalancePoint:
    """The balance point ``pdl`` (404 when it has none)."""
    point = next((p for p in points if p.usage_point_id == pdl), None)
    if point is None:
        abort(404)
    return point


@bp.route("/bilan")
def index() -> Any:
    points = balance.balance_points(app_services().engine)
    if not points:
        return render_template("bilan.html", title="Bilan", points=points)
    return _render(points, _point(points, chosen_pdl(points)))


@bp.route("/bilan/settings/<pdl>", methods=["POST"])
def settings(pdl: str) -> Any:
    engine = app_services().engine
    points = balance.balance_points(engine)
    point = _point(points, pdl)
    form = KwcForm()
    if form.validate_on_submit():
        try:
            balance.save_kwc(engine, pdl, form.kwc.data or "")
            return redirect(url_for("balance.index", pdl=pdl))
        except FieldError as exc:
            add_field_errors(form, exc)
    return _render(points, point, form, status=400)


@bp.route("/bilan/sensor/<pdl>", methods=["POST"])
def sensor(pdl: str) -> Any:
    engine = app_services().engine
    points = balance.balance_points(engine)
    point = _point(points, pdl)
    if not app_settings().supervised:
        abort(404)
    form = SensorForm()
    if not form.validate_on_submit():
        return _render(points, point, sensor_form=form, status=400)
    balance.save_sensor(engine, pdl, form.sensor.data or "")
    return redirect(url_for("balance.index", pdl=pdl))
