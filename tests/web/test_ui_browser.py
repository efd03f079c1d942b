"""The UI as a French household sees it, in headless Chromium behind the ingress-like nginx: every menu page and the
main views of the demo data (3 PDLs), at 1280×800 and 375×740, in the light theme and under
``prefers-color-scheme: dark``.

Each page is loaded once per width (one browser for the module, one page per width, reused) and seen in both themes
by switching the emulated colour scheme in place; what the tests check is read from that load:

- a screenshot, ``test-artifacts/screenshots/<page>-<width>-<theme>.png`` (and, at 375 px, ``…-dark-tables.png``
  with the folded tables opened);
- nothing scrolls sideways;
- the dark theme is applied under ``dark`` (the body's background is dark), the light one otherwise;
- axe-core (npm, installed by ./dev's asset step) finds no serious or critical violation of WCAG 2.1 A/AA. It is
  evaluated through the DevTools protocol, so the page's Content-Security-Policy stays in force (an inline
  ``<script>`` would be refused by it);
- no English dataset or option word and no "UTC" in the page's text;
- at 375 px the key number of every table (cells marked ``data-key``, tables folded under ``<details>`` opened
  first) lies within the viewport's width, and the first chart starts within the first screen.

The login and first-run pages (no menu on them) and the sign-out button are checked with Flask's test client.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.support.browser import SEED_SINCE, STORED_PERIOD, TODAY, Ingress, settle, visit, watch_page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = {375: {"width": 375, "height": 740}, 1280: {"width": 1280, "height": 800}}
THEMES = ("light", "dark")
FIRST_CHART_VISIBLE_PX = 120  # at least this much of the first chart shows on the phone's first screen

# English words that leak from datasets and options: regular expressions on the page's text (scripts, styles and
# <code> left out). "production" is French too: only its dataset forms ("production daily", production_...) count.
ENGLISH = {
    "consumption": r"(?i)\bconsumption",
    "production (dataset)": r"(?i)\bproduction(?:_\w+|\s+(?:daily|detail|load curve|max power))",
    "daily": r"(?i)\bdaily\b",
    "load curve": r"(?i)\bload[ _]curve\b",
    "max power": r"(?i)\bmax[ _]power\b",
    "HC_HP": r"\bHC_HP\b",
    "BASE": r"\bBASE\b",
    "True": r"\bTrue\b",
    "False": r"\bFalse\b",
    "pdl_pricing": r"\bpdl_pricing\b",
    # an offset ("UTC+2") is allowed where an hour repeats (DST change): only a bare "UTC" is a UTC time
    "UTC": r"\bUTC\b(?![+-]\d)",
}

START, END = STORED_PERIOD
STORED = {"start": START.isoformat(), "end": END.isoformat()}
SEASON = {"start": SEED_SINCE.isoformat(), "end": (TODAY.replace(day=4)).isoformat()}
CURVE = {"start": START.isoformat(), "end": START.replace(day=START.day + 2).isoformat()}  # a 3-day load curve


def _q(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params, safe='{}')}" if params else path


# page name -> path under the app (PDL placeholders {pdl1}...{pdl3} filled from the seeded PDLs)
PAGES: dict[str, str] = {
    "dashboard": "/",
    "consumption": _q("/consumption_kwh", **STORED),
    "consumption-pdl2": _q("/consumption_kwh", pdl="{pdl2}", **STORED),
    "consumption-pdl3": _q("/consumption_kwh", pdl="{pdl3}", **STORED),
    "consumption-month": _q("/consumption_kwh", view="month", **SEASON),
    "consumption-year": _q("/consumption_kwh", view="year", **SEASON),
    "consumption-curve": _q("/consumption_kwh", view="curve", **CURVE),
    "consumption-heatmap": _q("/consumption_kwh", view="heatmap", **STORED),
    "consumption-power": _q("/consumption_kwh", view="power", **STORED),
    "consumption_euro": _q("/consumption_euro", **STORED),
    "consumption_euro-month": _q("/consumption_euro", view="month", **SEASON),
    "production": _q("/production", **STORED),
    "production-month": _q("/production", view="month", **SEASON),
    "simulation": "/simulation",
    "bilan": _q("/bilan", **STORED),
    "bilan-month": _q("/bilan", view="month", **SEASON),
    "tempo": "/tempo",
    "ecowatt": "/ecowatt",
    "exporters": "/exporters",
    "settings": "/settings",
    "settings-pdl": "/settings/{pdl1}",
    "offers": "/simulation/offers",
    "offer-detail": _q("/simulation/offre", pdl="{pdl2}", offre="regulated:HPHC"),
    "offer-rules": "/simulation/regles",
    "pricing": "/pricing",
    "pricing-pdl": "/settings/{pdl2}/pricing",
    "exporters-homeassistant": _q("/exporters", tab="homeassistant"),
    "exporters-jeedom": _q("/exporters", tab="jeedom"),
}


def params(pages: list[str], widths: tuple[int, ...] = tuple(WIDTHS),
           themes: tuple[str, ...] = THEMES) -> list[Any]:
    out = []
    for name in pages:
        out += [pytest.param(name, w, t, id=f"{name}-{w}-{t}") for w in widths for t in themes]
    return out


SNAPSHOT_JS = """() => {
  const w = window.innerWidth, h = window.innerHeight;
  const shown = (el) => el.getClientRects().length > 0;
  const rgb = (getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g) || [255, 255, 255]).map(Number);
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const luminance = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('script, style, code, pre, template').forEach((e) => e.remove());
  const chart = [...document.querySelectorAll('.chart-canvas')].find(shown);
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: w, innerHeight: h, luminance,
    text: copy.textContent.replace(/\\s+/g, ' '),
    chartTop: chart ? chart.getBoundingClientRect().top + window.scrollY : null,
    charts: document.querySelectorAll('.chart-canvas').length,
    drawn: document.querySelectorAll('.chart-canvas .uplot').length,
    legends: [...document.querySelectorAll('.chart-canvas .u-legend')].map((l) => l.textContent.replace(/\\s+/g, ' ')),
  };
}"""

KEYS_JS = """() => {
  document.querySelectorAll('details').forEach((d) => { if (d.querySelector('[data-key]')) d.open = true; });
  const w = window.innerWidth, out = [];
  const hidden = (el) => {  // not rendered, or inside a visually hidden box (a stacked table's 1 px header)
    if (!el.getClientRects().length) return true;
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (p.getBoundingClientRect().width <= 1 && getComputedStyle(p).overflow !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('[data-key]')) {
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < -0.5 || r.right > w + 0.5) {
      out.push(`${el.tagName.toLowerCase()} « ${el.textContent.trim().slice(0, 30)} » from ${Math.round(r.left)} ` +
               `to ${Math.round(r.right)} px`);
    }
  }
  return {count: document.querySelectorAll('[data-key]').length, outside: out.slice(0, 5)};
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations'],
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) =>
    `${v.impact} ${v.id} (${v.help}): ` + v.nodes.slice(0, 3).map((n) => n.target.join(' ') +
      (n.failureSummary ? ' — ' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 160) : '')).join(' | '));
}"""


@dataclass
class Snapshot:
    name: str
    width: int
    theme: str
    problems: list[str]  # what the page's watch saw (console errors, HTTP >= 400...)
    facts: dict[str, Any]
    keys: dict[str, Any]
    axe: list[str]


@dataclass
class Pages:
    """One Chromium page per width, opened on demand; each app page loaded once per width and seen in both themes
    (``emulate_media`` switches ``prefers-color-scheme`` in place, which also checks that the charts follow it)."""

    browser: Any
    ingress: Ingress
    pdls: list[str]
    axe_source: str
    tabs: dict[int, Any] = field(default_factory=dict)
    seen: dict[tuple[str, int, str], Snapshot] = field(default_factory=dict)

    def tab(self, width: int) -> Any:
        if width not in self.tabs:
            context = self.browser.new_context(viewport=WIDTHS[width], locale="fr-FR", timezone_id="Europe/Paris")
            context.set_default_timeout(20_000)
            page = context.new_page()
            watch_page(page, self.ingress.base)
            self.tabs[width] = page
        return self.tabs[width]

    def url(self, name: str) -> str:
        filled = PAGES[name].format(**{f"pdl{i + 1}": pdl for i, pdl in enumerate(self.pdls)})
        return self.ingress.base + filled

    def get(self, name: str, width: int, theme: str) -> Snapshot:
        if (name, width, theme) not in self.seen:
            self._load(name, width)
        return self.seen[(name, width, theme)]

    def _load(self, name: str, width: int) -> None:
        page = self.tab(width)
        page.emulate_media(color_scheme=THEMES[0])
        response = visit(page, self.url(name))
        status = [] if response is not None and response.status == 200 else [
            f"HTTP {response.status if response else '(no answer)'}"]
        facts = {}
        for theme in THEMES:  # as the page first shows, folded tables folded
            page.emulate_media(color_scheme=theme)
            settle(page, 0)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{theme}.png"), full_page=True)
            facts[theme] = page.evaluate(SNAPSHOT_JS)
        keys = page.evaluate(KEYS_JS)  # opens the folded tables that hold key numbers
        if width == 375 and keys["count"]:  # the phone's table pattern, tables opened (in the last theme shown)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{THEMES[-1]}-tables.png"), full_page=True)
        page.evaluate(self.axe_source + "\n;0")
        axe = {}
        for theme in THEMES:
            page.emulate_media(color_scheme=theme)
            settle(page, 0)
            axe[theme] = page.evaluate(AXE_JS)
        problems = status + page.watch.problems()  # the chart redraws of the theme switches included
        for theme in THEMES:
            self.seen[(name, width, theme)] = Snapshot(name, width, theme, problems, facts[theme], keys, axe[theme])

    def close(self) -> None:
        for page in self.tabs.values():
            page.context.close()


def _axe_source() -> str:
    from tests.support.required import unavailable

    path = Path(os.environ.get("AXE_CORE_JS") or ROOT / "node_modules" / "axe-core" / "axe.min.js")
    if not path.is_file():
        unavailable("REQUIRE_BROWSER", f"axe-core not found at {path}: run ./dev test (its asset step runs npm ci)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(browser, ingress: Ingress, live_app) -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert len(live_app.pdls) == 3, f"the demo data has three PDLs: {live_app.pdls}"
    opened = Pages(browser, ingress, sorted(live_app.pdls), _axe_source())
    try:
        yield opened
    finally:
        opened.close()


ALL = list(PAGES)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(ALL))
def test_page_loads_without_sideways_scroll(pages, name, width, theme):
    """The page answers 200 without a console error or failed request, and nothing scrolls sideways."""
    snap = pages.get(name, width, theme)
    facts = snap.facts
    problems = list(snap.problems)
    if facts["scrollWidth"] > facts["innerWidth"]:
        problems.append(f"scrolls sideways: {facts['scrollWidth']} px wide in a {facts['innerWidth']} px window")
    assert not problems, f"{pages.url(name)}:\n  " + "\n  ".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(ALL))
def test_theme_follows_the_colour_scheme(pages, name, width, theme):
    """Under ``prefers-color-scheme: dark`` the page is dark (the body's relative luminance under 0.05: #111418 is
    0.0068), otherwise light (above 0.8: #f6f7f9 is 0.93)."""
    luminance = pages.get(name, width, theme).facts["luminance"]
    if theme == "dark":
        assert luminance < 0.05, f"{name}: body background luminance {luminance:.3f} under the dark theme"
    else:
        assert luminance > 0.8, f"{name}: body background luminance {luminance:.3f} under the light theme"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(ALL))
def test_no_serious_accessibility_violation(pages, name, width, theme):
    """axe-core (WCAG 2.1 A and AA rules, contrast included) finds nothing serious or critical."""
    violations = pages.get(name, width, theme).axe
    assert not violations, f"{pages.url(name)} ({width} px, {theme}):\n  " + "\n  ".join(violations)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(ALL, (1280,), ("light",)))
def test_no_english_word_nor_utc_time(pages, name, width, theme):
    """The page's text has no English dataset or option word and no time given in UTC."""
    text = pages.get(name, width, theme).facts["text"]
    found = []
    for word, pattern in ENGLISH.items():
        for match in list(re.finditer(pattern, text))[:2]:
            found.append(f"{word}: …{text[max(0, match.start() - 40):match.end() + 40]}…")
    assert not found, f"{pages.url(name)}:\n  " + "\n  ".join(found)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(ALL, (375,)))
def test_key_numbers_and_chart_in_view_on_a_phone(pages, name, width, theme):
    """At 375 px every key number (``data-key``) lies within the window's width, and the first chart starts early
    enough that at least 120 px of it show on the first screen."""
    snap = pages.get(name, width, theme)
    problems = [f"key number outside the window: {k}" for k in snap.keys["outside"]]
    top = snap.facts["chartTop"]
    if top is not None and top > snap.facts["innerHeight"] - FIRST_CHART_VISIBLE_PX:
        problems.append(f"the first chart starts at {top:.0f} px, below the first screen "
                        f"({snap.facts['innerHeight']} px)")
    assert not problems, f"{pages.url(name)} ({theme}):\n  " + "\n  ".join(problems)


PARTIAL = ["consumption-year", "consumption_euro-month", "production-month", "bilan-month", "simulation"]
KEYED = ["consumption_euro", "consumption_euro-month", "simulation", "tempo", "bilan"]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(ALL, (375, 1280), ("light",)))
def test_charts_are_drawn_with_values_in_their_legends(pages, name, width, theme):
    """Every chart of the page is drawn (uPlot present) and its legend shows values, never "--", before any hover."""
    facts = pages.get(name, width, theme).facts
    assert facts["drawn"] == facts["charts"], f"{name}: {facts['drawn']} of {facts['charts']} charts drawn"
    empty = [legend for legend in facts["legends"] if "--" in legend]
    assert not empty, f"{name}: legends without values: {empty}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(PARTIAL, (1280,), ("light",)))
def test_partial_periods_are_marked(pages, name, width, theme):
    """The views below cover a period in part (the demo data runs from 01/03/2025 to 04/11/2025: 2025 and
    November 2025 are partial): the page says so."""
    text = pages.get(name, width, theme).facts["text"]
    assert "partiel" in text, f"{pages.url(name)}: no period marked « partiel »"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "width", "theme"), params(KEYED, (375,), ("light",)))
def test_tables_mark_their_key_number(pages, name, width, theme):
    """The pages whose tables carry a total, a saving or a price mark it (data-key), so it stays in view on a
    phone (test_key_numbers_and_chart_in_view_on_a_phone checks where it lies)."""
    assert pages.get(name, width, theme).keys["count"] > 0, f"{pages.url(name)}: no cell marked data-key"


@pytest.mark.slow
def test_phone_menu_opens_without_javascript(browser, ingress: Ingress):
    """At 375 px the menu is one "Menu" button (a <details>) that opens the links, JavaScript off."""
    context = browser.new_context(viewport=WIDTHS[375], locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(ingress.base + "/", wait_until="load")
        assert not page.locator("nav.menu-wide").is_visible(), "the line of links shows at 375 px"
        link = page.locator("details.menu-narrow nav a", has_text="Consommation kWh")
        assert not link.is_visible()
        summary = page.locator("details.menu-narrow > summary")
        box = summary.bounding_box()
        assert box is not None and box["y"] < 60, f"the Menu button is not on the header's line: {box}"
        summary.click()
        assert link.is_visible(), "the menu does not open"
    finally:
        context.close()


DRAW_JS = """async (specs) => {
  const main = document.querySelector('main');
  const els = specs.map((spec) => {
    const el = document.createElement('div');
    el.className = 'chart-canvas';
    el.setAttribute('data-chart', JSON.stringify(spec));
    main.appendChild(el);
    return el;
  });
  window.MyElectricalData.drawCharts();
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));  // uPlot commits in a microtask
  return els.map((el) => {
    const u = el.uplot;
    return {ymax: u.scales.y.max, ymin: u.scales.y.min, xmin: u.scales.x.min, xmax: u.scales.x.max,
            legend: el.querySelector('.u-legend').textContent.replace(/\\s+/g, ' ').trim(),
            yLabel: u.axes[1].label, ticks: (u.axes[0]._values || []).map(String)};
  });
}"""


@pytest.mark.slow
def test_bars_grouped_or_stacked_on_a_category_axis(pages):
    """Two bar series [3, 4] and [5, 2] on categories "2024 (partiel)" and "2025": grouped, the y axis reaches the
    tallest bar, 5 (× 1.08 headroom = 5.4); stacked, the tallest pile, 3 + 5 = 8 (× 1.08 = 8.64, not 4 + 2 = 6).
    The x axis has one slot per category (-0.5 to 1.5); the legend shows the last values with their unit before
    any hover; the y axis carries the unit."""
    page = pages.tab(375)
    visit(page, pages.url("consumption"))
    series = [{"label": "Bleu", "unit": "kWh", "values": [3, 4], "colour": "tempo-blue"},
              {"label": "Rouge", "unit": "kWh", "values": [5, 2], "colour": "tempo-red"}]
    base = {"kind": "bars", "x": [1704063600, 1735686000], "series": series,
            "categories": ["2024 (partiel)", "2025"]}
    grouped, stacked = page.evaluate(DRAW_JS, [base, {**base, "stacked": True, "yunit": "kWh"}])
    assert grouped["ymax"] == pytest.approx(5.4) and grouped["ymin"] == 0
    assert stacked["ymax"] == pytest.approx(8.64) and stacked["ymin"] == 0
    assert (grouped["xmin"], grouped["xmax"]) == (-0.5, 1.5)
    assert grouped["yLabel"] == "kWh" and stacked["yLabel"] == "kWh"
    assert "2025" in grouped["legend"] and "4 kWh" in grouped["legend"] and "2 kWh" in grouped["legend"]
    assert "--" not in grouped["legend"]
    assert not page.watch.problems(), page.watch.problems()


@pytest.mark.slow
def test_time_axes_name_hours_on_short_curves_and_thin_month_labels(pages):
    """At 375 px: a 3-day hourly curve from Monday 06/10/2025 00:00 in Paris (epoch 1759701600) ticks with hours,
    the day under the first hour of each day ("00:00" above "lun. 06"); twelve months named "septembre 2025"
    (14 characters: 14 × 7 + 14 = 112 px a label) fit 2 to a plot under 336 px wide, so every 6th slot is
    labelled: 0 and 6; the legend shows the last point, hour 71 = Wednesday 08/10 23:00, 100 + 71 = 171 W."""
    page = pages.tab(375)
    visit(page, pages.url("consumption"))
    start = 1759701600
    curve = {"kind": "line", "x": [start + 3600 * h for h in range(72)],
             "series": [{"label": "Puissance moyenne", "unit": "W", "values": [100 + h for h in range(72)]}]}
    months = {"kind": "bars", "x": [start + 86400 * 31 * m for m in range(12)],
              "series": [{"label": "Consommation", "unit": "kWh", "values": list(range(12))}],
              "categories": ["septembre 2025"] * 12}
    hours, bars = page.evaluate(DRAW_JS, [curve, months])
    assert hours["ticks"] and all(re.match(r"\d\d:\d\d", tick) for tick in hours["ticks"]), hours["ticks"]
    assert hours["ticks"][0] == "00:00\nlun. 06", hours["ticks"]
    assert any(tick.endswith("mar. 07") for tick in hours["ticks"]), hours["ticks"]
    assert len(bars["ticks"]) == 2, bars["ticks"]
    assert "Heure" in hours["legend"]
    assert "mer. 08/10/2025 23:00" in hours["legend"] and "171 W" in hours["legend"], hours["legend"]


# --- the chart blocks (web/pages/charts.py) ---------------------------------------------------------------------

def test_chart_block_puts_months_on_a_category_axis_and_finds_the_key_column():
    from myelectricaldata.web.pages.charts import chart, key_column, midnight

    x = [midnight(date(2025, 10, 1)), midnight(date(2025, 11, 1))]  # 31 days apart: months
    rows = [["octobre 2025", "1,0", "9,00 €"], ["novembre 2025", "2,0", "18,00 €"], ["Total", "3,0", "27,00 €"]]
    block = chart("c", "t", "bars", x, [{"label": "Coût", "unit": "€", "values": [9.0, 18.0]}],
                  ["Période", "Consommation (kWh)", "Total (€)"], rows)
    assert block["series"]["categories"] == ["octobre 2025", "novembre 2025"]
    assert block["key"] == 2 and block["aux"] == ()
    assert "stacked" not in block["series"] and "yunit" not in block["series"]
    days = [midnight(date(2025, 10, 1)), midnight(date(2025, 10, 2))]
    daily = chart("d", "t", "bars", days, [], ["Jour", "Consommation (kWh)"], [["01/10/2025", "1"], ["02/10", "2"]])
    assert "categories" not in daily["series"] and daily["key"] == 1
    year = chart("y", "t", "bars", x[:1], [], ["Année", "Consommation (kWh)"], [["2025", "1 752,5"], ["Total", "1"]])
    assert year["series"]["categories"] == ["2025"]  # a single bar: one slot, named as its table row
    given = chart("e", "t", "bars", x, [], ["Année", "kWh"], rows, categories=["2024 (partiel)", "2025"],
                  stacked=True, yunit="kWh", key=0, aux=(1,))
    assert given["series"]["categories"] == ["2024 (partiel)", "2025"]
    assert given["series"]["stacked"] is True and given["series"]["yunit"] == "kWh"
    assert (given["key"], given["aux"]) == (0, (1,))
    assert key_column(["Période", "Total HT (€)", "Remarque", "Total (€)"]) == 3
    assert key_column(["Jour"]) == 0


# --- the pages without menu, and the sign-out button (Flask's test client) ---------------------------------------

@pytest.fixture
def protected_app(tmp_path):
    """The standalone app with a password set; the test client comes from 192.0.2.10 (not a trusted address)."""
    from myelectricaldata.app import AppServices
    from myelectricaldata.config import Settings
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine
    from myelectricaldata.services import access
    from myelectricaldata.web.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    access.set_password(engine, "un mot de passe solide")
    try:
        yield create_app(Settings(data_dir=tmp_path), AppServices(engine))
    finally:
        engine.dispose()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_login_page_has_no_menu_and_signed_in_pages_a_sign_out_button(protected_app):
    client = protected_app.test_client()
    env = {"REMOTE_ADDR": "192.0.2.10"}
    login = client.get("/login", environ_base=env)
    html = login.get_data(as_text=True)
    assert login.status_code == 200
    assert "Menu principal" not in html and "Tableau de bord" not in html, "the login page shows the menu"
    assert "Se déconnecter" not in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|id="csrf_token" name="csrf_token" '
                      r'type="hidden" value="([^"]+)"', html)
    assert token, "no CSRF token on the login form"
    signed = client.post("/login", data={"csrf_token": token.group(1) or token.group(2),
                                         "password": "un mot de passe solide"}, environ_base=env)
    assert signed.status_code in (302, 303)
    dashboard = client.get("/", environ_base=env).get_data(as_text=True)
    assert "Menu principal" in dashboard
    assert "Se déconnecter" in dashboard, "no sign-out button once signed in"
    out = client.post("/logout", data={"csrf_token": _csrf(dashboard)}, environ_base=env)
    assert out.status_code in (302, 303) and out.headers["Location"].endswith("/login")


def test_trusted_address_not_signed_in_sees_no_sign_out_button(protected_app):
    """Loopback is trusted without signing in: there is no session to close, so no button."""
    html = protected_app.test_client().get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert "Menu principal" in html
    assert "Se déconnecter" not in html


def test_first_run_page_has_no_menu(tmp_path):
    from myelectricaldata.app import AppServices
    from myelectricaldata.config import Settings
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine
    from myelectricaldata.web.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    try:
        client = create_app(Settings(data_dir=tmp_path), AppServices(engine)).test_client()
        answer = client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.10"}, follow_redirects=True)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "Protéger l" in html
        assert "Menu principal" not in html and "Tableau de bord" not in html, "the first-run page shows the menu"
        assert "Se déconnecter" not in html
    finally:
        engine.dispose()
