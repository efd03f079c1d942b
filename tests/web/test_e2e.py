"""The UI in headless Chromium behind nginx configured like Home Assistant's ingress.

Every page of the menu and every same-origin link found on them loads under the ingress prefix with HTTP 200, no
console error, no failed request and no request outside the prefix; the menu pages are screenshotted at a desktop
and a phone width (``test-artifacts/screenshots/``) and nothing scrolls sideways at 375 px; "sync now" posts and
comes back to the dashboard under the prefix. A last test checks, with Flask's test client, that under the
Supervisor a request from another address than its proxy or loopback is refused.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from myelectricaldata.web.app import NAV
from tests.support.browser import STORED_PERIOD, Ingress, settle, visit

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
MAX_PER_PATH = 10  # links to one path that differ only by their query string: the first ones are enough
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "blob:")

OVERFLOW_JS = """() => {
  const w = window.innerWidth, out = [];
  const clips = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 0.5 || clips(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (parent.right > w + 0.5 && el.parentElement !== document.body) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    out.push(`${name} (right edge at ${Math.round(r.right)} px)`);
    if (out.length >= 5) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, culprits: out};
}"""


def page_name(endpoint: str) -> str:
    """``dashboard.index`` -> ``dashboard``, ``data.consumption`` -> ``consumption``."""
    blueprint, _, view = endpoint.rpartition(".")
    return blueprint if view == "index" else view


def normalize(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def links_on(page, ingress: Ingress) -> tuple[list[str], list[str]]:
    """Same-origin links of the page (fragments dropped) and the ones that leave the ingress prefix."""
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.map(e => [e.getAttribute('href'), e.href])")
    inside, escaping = [], []
    for raw, absolute in hrefs:
        raw = raw.strip()
        if not raw or raw.startswith("#") or raw.lower().startswith(SKIPPED_SCHEMES):
            continue
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != ingress.origin:
            continue
        url = normalize(absolute)
        if url == ingress.base or url.startswith(ingress.base + "/"):
            inside.append(url)
        else:
            escaping.append(f"{raw!r} resolves to {url}")
    return inside, escaping


def check_loaded(page, response, ingress: Ingress) -> list[str]:
    """The problems of the page just visited: status, where it landed, what its watch collected."""
    problems = []
    if response is None:
        problems.append("no response")
    elif response.status != 200:
        problems.append(f"HTTP {response.status}")
    landed = page.url
    if not (landed == ingress.base or landed.startswith(ingress.base + "/")):
        problems.append(f"left the ingress prefix: landed on {landed}")
    problems += page.watch.problems()
    return problems


def no_sideways_scroll(page) -> str | None:
    found = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] <= found["innerWidth"]:
        return None
    return (f"scrolls sideways at {found['innerWidth']} px: scrollWidth {found['scrollWidth']}; widest: "
            + ("; ".join(found["culprits"]) or "no single element found"))


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", [e for e, _ in NAV], ids=[page_name(e) for e, _ in NAV])
def test_menu_page(endpoint, nav_paths, ingress, page):
    """A menu page loads cleanly under the prefix at 1280 and 375 px, with a screenshot of each, and does not
    scroll sideways on the phone."""
    name, url = page_name(endpoint), ingress.base + nav_paths[endpoint]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = check_at_both_widths(page, url, ingress, name)
    _, escaping = links_on(page, ingress)
    failures += [f"link outside the ingress prefix: {e}" for e in escaping]
    assert not failures, f"{url}:\n  " + "\n  ".join(failures)


@pytest.mark.slow
def test_links_found_on_menu_pages(nav_paths, ingress, page):
    """Every same-origin link of the menu pages (one level, deduplicated) loads cleanly under the prefix at both
    widths, without sideways scroll at 375 px."""
    menu = {normalize(ingress.base + path) for path in nav_paths.values()}
    found: dict[str, str] = {}
    per_path: dict[str, int] = {}
    for path in nav_paths.values():
        visit(page, ingress.base + path)
        inside, _ = links_on(page, ingress)
        for url in inside:
            if url in menu or url in found:
                continue
            key = urlsplit(url).path
            per_path[key] = per_path.get(key, 0) + 1
            if per_path[key] <= MAX_PER_PATH:
                found[url] = path
    if not found:
        pytest.skip("the menu pages link to no other page yet")
    failures = []
    for url, source in found.items():
        failures += [f"{url} (linked from {source}), {p}" for p in check_at_both_widths(page, url, ingress)]
    assert not failures, f"{len(found)} links checked:\n  " + "\n  ".join(failures)


def check_at_both_widths(page, url: str, ingress: Ingress, screenshot: str = "") -> list[str]:
    """Load ``url`` at 1280 then 375 px; the problems found, each prefixed with the width."""
    from playwright.sync_api import Error as PlaywrightError

    failures = []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        try:
            response = visit(page, url)
        except PlaywrightError as exc:  # a link to a file (CSV export...) is a download, not a page
            if "Download is starting" not in str(exc):
                raise
            answer = page.request.get(url)
            page.set_viewport_size(DESKTOP)
            return [] if answer.status == 200 else [f"download: HTTP {answer.status}"]
        problems = check_loaded(page, response, ingress)
        if screenshot:
            page.screenshot(path=str(SCREENSHOTS / f"{screenshot}-{width}.png"), full_page=True)
        if width == "phone" and (overflow := no_sideways_scroll(page)):
            problems.append(overflow)
        failures += [f"{width}: {p}" for p in problems]
    page.set_viewport_size(DESKTOP)
    return failures


@pytest.mark.slow
def test_pages_on_a_stored_period(nav_paths, ingress, page):
    """The menu pages with a period selector, opened on the last 30 stored days so that their charts and tables
    are drawn from data whatever the real date, and the links of those pages to the same page (their views: day,
    week, curve, heatmap...): each loads cleanly at both widths and does not scroll sideways at 375 px."""
    start, end = STORED_PERIOD
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    checked, failures = [], []
    for endpoint, path in nav_paths.items():
        visit(page, ingress.base + path)
        if page.locator("input[name=start]").count() == 0 or page.locator("input[name=end]").count() == 0:
            continue
        url = f"{ingress.base}{path}?{urlencode({'start': start.isoformat(), 'end': end.isoformat()})}"
        checked.append(url)
        failures += [f"{url}, {p}" for p in check_at_both_widths(page, url, ingress,
                                                                 f"{page_name(endpoint)}-period")]
        inside, _ = links_on(page, ingress)
        views = [u for u in dict.fromkeys(inside) if urlsplit(u).path == urlsplit(url).path and u != url
                 and urlsplit(u).query]
        for view in views[:MAX_PER_PATH]:
            checked.append(view)
            failures += [f"{view} (linked from {url}), {p}" for p in check_at_both_widths(page, view, ingress)]
    if not checked:
        pytest.skip("no menu page has a period selector (inputs named start and end) yet")
    assert not failures, f"{len(checked)} pages on a stored period checked:\n  " + "\n  ".join(failures)


@pytest.mark.slow
def test_sync_now_comes_back_to_the_dashboard(nav_paths, ingress, page):
    """"Synchroniser maintenant" posts its form under the prefix and lands on the dashboard, with a message."""
    dashboard = ingress.base + nav_paths["dashboard.index"]
    visit(page, dashboard)
    button = page.get_by_role("button", name="Synchroniser maintenant")
    if button.count() == 0:
        pytest.skip("the dashboard has no 'Synchroniser maintenant' button")
    page.watch.generation += 1
    with page.expect_request(lambda r: r.method == "POST") as posted, page.expect_navigation(wait_until="load"):
        button.first.click()
    settle(page)
    post = posted.value
    assert post.url.startswith(ingress.base + "/"), f"the form posts outside the prefix: {post.url}"
    answer = post.response()
    assert answer is not None and answer.status in (302, 303), f"POST {post.url}: {answer and answer.status}"
    assert normalize(page.url) == normalize(dashboard), f"landed on {page.url}, not on {dashboard}"
    assert page.locator(".flash").count() >= 1, "no message after the post: was the CSRF token refused?"
    assert not page.watch.problems(), "\n  ".join(["after sync now:", *page.watch.problems()])


@pytest.mark.slow
def test_choosing_a_pdl_reloads_the_page_on_it_under_the_content_security_policy(nav_paths, ingress, page):
    """The PDL selector submits its form from static/app.js (no inline handler: the Content-Security-Policy would
    block one), under the prefix, and the page comes back on the PDL chosen, without a console error."""
    visit(page, ingress.base + nav_paths["data.consumption"])
    select = page.locator("select[name=pdl]")
    options = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert len(options) >= 2, "the demo data has three PDLs"
    chosen = next(value for value in options if value != select.input_value())
    page.watch.generation += 1
    with page.expect_navigation(wait_until="load"):
        select.select_option(chosen)
    settle(page)
    assert page.url.startswith(ingress.base + "/") and f"pdl={chosen}" in page.url, page.url
    assert select.input_value() == chosen
    assert not page.watch.problems(), "\n  ".join(["after choosing a PDL:", *page.watch.problems()])


def test_supervised_refuses_other_addresses(tmp_path):
    """Under the Supervisor only its proxy (172.30.32.2) and loopback may connect; anyone else gets 403."""
    from myelectricaldata.app import AppServices
    from myelectricaldata.config import Settings
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine
    from myelectricaldata.web.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    try:
        app = create_app(Settings(data_dir=tmp_path, supervised=True), AppServices(engine))
        client = app.test_client()
        for path in ("/", "/settings", "/api/v1/usage_points"):
            refused = client.get(path, environ_base={"REMOTE_ADDR": "10.0.0.5"})
            assert refused.status_code == 403, f"{path} from 10.0.0.5: HTTP {refused.status_code}"
        error = client.get("/api/v1/usage_points", environ_base={"REMOTE_ADDR": "10.0.0.5"}).get_json()["error"]
        assert error["code"] and error["message"]
        assert client.post("/api/v1/sync", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 403
        assert client.post("/sync", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code in (400, 403)
        for address in ("172.30.32.2", "127.0.0.1"):
            for path in ("/", "/api/v1/usage_points"):
                allowed = client.get(path, environ_base={"REMOTE_ADDR": address})
                assert allowed.status_code != 403, f"{path} from {address}: HTTP {allowed.status_code}"
                assert allowed.status_code < 500, f"{path} from {address}: HTTP {allowed.status_code}"
    finally:
        engine.dispose()
