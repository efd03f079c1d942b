"""The import preview in headless Chromium behind the ingress proxy: a file chosen on the PDL's page is previewed
under the prefix, readable at 375 px without sideways scroll, light and dark (nothing is confirmed: the served
database is shared by the browser tests)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from myelectricaldata.simulator import DEMO_HOUSEHOLDS
from myelectricaldata.simulator.enedis_downloads import r63_csv
from tests.support.browser import visit
from tests.web.test_e2e import PHONE, SCREENSHOTS, check_loaded, no_sideways_scroll

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_file_is_previewed_under_the_prefix_on_a_phone(ingress, page, tmp_path, scheme):
    household = DEMO_HOUSEHOLDS[0]
    days = [date(2023, 10, 25) + timedelta(days=n) for n in range(7)]
    upload = tmp_path / "ENEDIS_R63_P_CdC.csv"
    upload.write_bytes(r63_csv(household, days))
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(PHONE)
    assert check_loaded(page, visit(page, f"{ingress.base}/settings/{household.usage_point_id}"), ingress) == []
    page.set_input_files("input[name=files]", str(upload))
    with page.expect_navigation():
        page.click("text=Voir ce qui serait importé")
    assert page.url == f"{ingress.base}/settings/{household.usage_point_id}/import"
    text = page.inner_text("main")
    assert "CSV R63 (courbe de charge)" in text and "du 25/10/2023 au 31/10/2023" in text
    assert "Importer ces valeurs" in text and page.watch.problems() == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"import-preview-phone-{scheme}.png"), full_page=True)
    assert no_sideways_scroll(page) is None
