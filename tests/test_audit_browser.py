"""The audit's HTML as a reader sees it, in a real browser: Debian's Chromium, headless, driven by Playwright.

The page is opened from a file with the network cut off (the report must stand alone on an intranet); the test
reads the title, the city's bulletin cut, a unit's light and checks that both SVG charts are drawn and visible, then
keeps a screenshot (and an A4 PDF print) under test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import launch, needs_chromium
from jianfu_cli import ROOT, jianfu

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "审计报告.html"
    done = jianfu("audit", "--year", "2019", "--register", "examples/register.yaml", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_a_reader_sees_the_title_the_city_cut_the_lights_and_the_charts(report):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            assert page.title() == "2019年度精文简会与督查检查考核合规审计报告"
            assert page.locator("h1").inner_text() == "2019年度精文简会与督查检查考核合规审计报告"

            cut = page.locator("#city-bulletin-cut")
            assert cut.is_visible()
            # The sample: 15 issues in 2018 (10 + 5), 11 in 2019 (7 + 4): a 26.7% cut against the 20% target.
            text = cut.inner_text()
            assert "26.7%" in text and "15 期" in text and "11 期" in text and "达标" in text

            row = page.locator('tr[data-unit="市发展改革委"]')
            assert row.locator(".light").inner_text() == "红灯"
            assert page.locator('tr[data-unit="市教育局"] .light').inner_text() == "绿灯"
            assert page.locator('tr[data-unit="市市场监管局"] .light').inner_text() == "黄灯"

            for chart in ("#chart-bulletins svg", "#chart-activity svg"):
                svg = page.locator(chart)
                assert svg.count() == 1 and svg.is_visible()
                box = svg.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 150
                assert svg.locator("rect, path").count() > 5  # bars drawn, not an empty frame
            assert "市卫生健康委" in page.locator("#chart-bulletins").inner_text()

            page.screenshot(path=str(ARTIFACTS / "audit-report.png"), full_page=True)
            page.pdf(path=str(ARTIFACTS / "audit-report.pdf"), format="A4", print_background=True)
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith("file:")] == [], "the report must load nothing from the network"
    assert (ARTIFACTS / "audit-report.pdf").stat().st_size > 10_000
