"""The month view in Chromium at 1366 and 1920 px, in Chinese and English (issue 18): no horizontal
scroll, the main table fits without its own scroll bar, and no header is narrower than its longest word
(a Chinese header has no spaces: it is one word and must not wrap between its characters; a line may
break at a space, after a hyphen and before a bracket: "Special-|topic", "关闭用时中位数|（天）").

Screenshots are written to `$ASSESSMENT_SHOTS` (default: the test's tmp dir) to look at."""

import os
import pathlib

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessment import views

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTH = reverse("assessment:month", args=[2026, 10])

# the width of each header's longest word (split at spaces), measured in the header's own font, and the
# header's content width
HEADERS = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('table.assess th')].map(th => {
    const s = getComputedStyle(th);
    ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const words = th.innerText.replace(/[▲▼]/g, '').replace(/-/g, '- ').replace(/（/g, ' （')
      .split(/\\s+/).filter(Boolean);
    const longest = Math.max(0, ...words.map(w => ctx.measureText(w).width));
    const inner = th.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return {text: th.innerText, longest, inner};
  });
}"""


@pytest.fixture
def shots(tmp_path):
    path = pathlib.Path(os.environ.get("ASSESSMENT_SHOTS", tmp_path))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _session(live_server, user, language):
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return [
        {"name": name, "value": morsel.value, "url": live_server.url}
        for name, morsel in client.cookies.items()
        if morsel.value
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_month_view_fits_and_headers_do_not_wrap_per_character(
    live_server, browser, monkeypatch, october, leader, now, shots, language
):
    monkeypatch.setattr(views, "current_time", lambda: now)
    assert language in dict(settings.LANGUAGES)
    cookies = _session(live_server, leader, language)
    for width in (1366, 1920):
        for query in ("", "?view=full"):
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.add_cookies(cookies)
            page = context.new_page()
            page.goto(live_server.url + MONTH + query)
            page.wait_for_selector("#estate-table")
            name = f"month-{language}-{width}{'-full' if query else ''}.png"
            page.screenshot(path=str(shots / name), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
            if not query:  # the main table fits the page without a scroll bar of its own
                assert page.evaluate(
                    "[...document.querySelectorAll('.table-responsive')].every(e => e.scrollWidth <= e.clientWidth)"
                ), name
                assert page.locator("#summary").is_visible()
            for h in page.evaluate(HEADERS):
                assert h["inner"] + 0.5 >= h["longest"], (name, h)
            context.close()


def test_trend_charts_are_drawn_by_echarts_with_values_on_hover(
    live_server, browser, monkeypatch, october, leader, estate_a, now, shots
):
    """The trends page and an estate's page draw their charts with the vendored ECharts, without a
    CSP violation, and show a month's value on hover."""
    monkeypatch.setattr(views, "current_time", lambda: now)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_cookies(_session(live_server, leader, "zh-hans"))
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + reverse("assessment:trends") + "?month=2026-10")
    page.wait_for_selector("figure.has-echart canvas")
    assert page.locator("figure.has-echart").count() == 6
    assert not page.locator("figure.has-echart svg.chart").first.is_visible()  # the SVG is the fallback
    canvas = page.locator("#chart-1 canvas").first
    box = canvas.bounding_box()
    # October is the last of the twelve months: the right end of the plot
    page.mouse.move(box["x"] + box["width"] - 24, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "trends-hover.png"))
    # the tooltip is drawn on the canvas: read it back from the chart's state
    shown = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('#chart-1 .echart')).getOption().series[0].data[11]"
    )
    assert shown == 62.1  # A and B together (test_summary)
    page.goto(live_server.url + reverse("assessment:estate_month", args=[2026, 10, estate_a.pk]))
    page.wait_for_selector("#estate-trend.has-echart canvas")
    assert errors == []
    context.close()
