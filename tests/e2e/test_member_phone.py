"""A committee member on a phone (Chromium, is_mobile, 390×844 and 360×740, both languages): every page they
use fits the screen and has no text box squeezed below four Chinese characters; the filters open from one
button; a refused form brings its error into view; the page's main button sits at the bottom of the screen.

Set TEST_ARTIFACTS=<folder> to keep a screenshot of each page."""

import os
from pathlib import Path

import pytest

from followups.models import Issue
from liaison import demo
from liaison.models import User
from meetings.models import Meeting
from records.models import SignoffRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [(390, 844), (360, 740)]
LANGUAGES = ["zh-hans", "en"]

# What a person would see as broken: a page wider than the screen, or a text box (a table cell, or a box
# inside a card) narrower than four Chinese characters (4em) whose text wraps there a character or two a
# line, or is cut off. Inline runs of text are not boxes; hidden boxes (the desktop table on a phone, the
# folded filters) are left out.
MEASURE = """() => {
  const shown = (el) => {
    const s = getComputedStyle(el);
    return s.display !== "none" && s.visibility !== "hidden" && el.getClientRects().length > 0;
  };
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set();
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    return tops.size;
  };
  const narrow = [];
  for (const el of document.querySelectorAll("td, th, .card-body, .card-body *")) {
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === "inline" || style.display === "contents") continue;
    const text = (el.innerText || "").trim();
    if ([...text].length < 4) continue;
    const em = parseFloat(style.fontSize) || 16;
    const width = el.getBoundingClientRect().width;
    const cut = style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1;
    if ((width < 4 * em - 0.5 && lines(el) > 1) || cut) {
      narrow.push(`${el.tagName.toLowerCase()} "${text.slice(0, 16)}" ${Math.round(width)}px`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, narrow};
}"""

IN_VIEW = """(el) => {
  const r = el.getBoundingClientRect();
  const bar = document.querySelector(".phone-bar");
  const covered = bar && getComputedStyle(bar).position === "fixed" ? bar.getBoundingClientRect().height : 0;
  return r.top >= 0 && r.bottom <= window.innerHeight - covered;
}"""


def phone(browser, base, username, size, lang):
    width, height = size
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = ctx.new_page()
    page.set_default_timeout(15000)
    errors = []
    # script and CSP errors; a refused form's 400 is what the page is about, not an error
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 400" not in m.text else None)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")
    if lang != "zh-hans":
        page.click(f"#lang-{lang}")  # the button in the top bar, outside the folded menu
        page.wait_for_selector("#lang-zh-hans")
    return ctx, page, errors


def member_pages(user):
    """Every page a committee member uses, but records' sign-off pages (test_the_sign_off_pages_fit_the_phone)."""
    return [
        "/",
        "/meetings/",
        *[f"/meetings/{m.pk}/" for m in Meeting.objects.visible_to(user).order_by("pk")],
        "/issues/",
        "/issues/?status=open",
        *[f"/issues/{i.pk}/" for i in Issue.objects.visible_to(user).order_by("pk")],
        "/issues/new/",
        "/inbox/",
        "/inbox/preferences/",
        "/account/",
        *[f"/committees/{m.committee_id}/" for m in user.memberships.filter(ended_on__isnull=True)],
    ]


def shoot(page, name):
    folder = os.environ.get("TEST_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def check_pages(browser, base, username, paths, size, lang):
    ctx, page, errors = phone(browser, base, username, size, lang)
    broken = []
    for path in paths:
        assert page.goto(base + path).status == 200, path
        m = page.evaluate(MEASURE)
        if m["scrollWidth"] > m["viewport"] or m["narrow"]:
            broken.append((path, m["scrollWidth"], m["narrow"][:5]))
        shoot(page, f"{username}-{size[0]}-{lang}-{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}")
    ctx.close()
    assert not errors, errors  # no CSP or script errors
    return broken


@pytest.fixture
def world(live_server):
    demo.seed()
    return live_server.url


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("username", ["oc_chair", "rc_member"])
def test_every_member_page_fits_the_phone(browser, world, username, size):
    paths = member_pages(User.objects.get(username=username))
    for lang in LANGUAGES:
        broken = check_pages(browser, world, username, paths, size, lang)
        assert not broken, (lang, broken)


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_sign_off_pages_fit_the_phone(browser, world, size):
    """records' own pages (its templates), measured by the same rule."""
    req = SignoffRequest.objects.first()
    paths = ["/records/", "/records/signoff/", f"/records/signoff/{req.pk}/"]
    for lang in LANGUAGES:
        assert not check_pages(browser, world, "oc_chair", paths, size, lang), lang


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_filters_open_from_one_button(browser, world, size):
    ctx, page, errors = phone(browser, world, "oc_chair", size, "zh-hans")
    page.goto(f"{world}/issues/")
    assert not page.locator("#issue-filter").is_visible()
    first_card = page.locator("#issue-cards li").first
    assert first_card.evaluate(IN_VIEW)  # the first issue shows on the first screen
    page.tap("#filter-toggle")
    page.wait_for_selector("#id_q", state="visible")
    page.select_option("#id_status", "open")
    page.tap("#filter-submit")
    page.wait_for_url("**/issues/?*status=open*")
    assert page.locator("#issue-filter").is_visible()  # a filter is set: the block stays open
    assert "1" in page.inner_text("#filter-toggle")
    shown = page.locator("#issue-cards li[data-issue]").count()
    assert shown == Issue.objects.filter(closed_at__isnull=True, committee__members__user__username="oc_chair").count()
    page.tap("#filter-toggle")  # and folds away again
    page.wait_for_selector("#issue-filter", state="hidden")
    ctx.close()
    assert not errors, errors


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_refused_form_brings_its_error_into_view(browser, world, size):
    issue = Issue.objects.filter(status=Issue.Status.RESOLVED, committee__members__user__username="oc_chair").first()
    ctx, page, errors = phone(browser, world, "oc_chair", size, "zh-hans")
    page.goto(f"{world}/issues/{issue.pk}/")
    # the page's main action is in the bar at the bottom of the screen; it leads to the form
    bar = page.locator("#issue-phone-bar a")
    assert bar.evaluate("(el) => el.getBoundingClientRect().bottom > window.innerHeight - 90")
    bar.tap()
    page.tap("#form-confirm input[value=unsatisfied]")
    page.tap("#submit-confirm")  # unsatisfied without saying why: refused
    page.wait_for_selector("#form-confirm .invalid-feedback")
    error = page.locator("#form-confirm .invalid-feedback, #form-confirm .is-invalid").first
    assert page.evaluate("window.scrollY") > 300  # the panel is far below the top of the page…
    assert error.evaluate(IN_VIEW)  # …and the error is on the screen, not under the bar
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED
    # raising an issue: the submit button is at the bottom of the screen before any scrolling
    page.goto(f"{world}/issues/new/")
    assert page.locator("#issue-submit").evaluate("(el) => el.getBoundingClientRect().bottom <= window.innerHeight")
    page.fill("#id_title", "测试")
    page.tap("#issue-submit")  # no description
    page.wait_for_selector("#id_description.is-invalid")
    assert page.locator("#id_description").evaluate(IN_VIEW)
    assert page.evaluate("document.activeElement.id") == "id_description"
    ctx.close()
    assert not errors, errors


def test_a_member_answers_an_invitation_from_the_list(browser, world):
    ctx, page, errors = phone(browser, world, "rc_member", PHONES[0], "zh-hans")
    page.goto(f"{world}/meetings/")
    card = page.locator("#upcoming-cards li[data-meeting]").first
    assert "您的回复: 未回复" in card.inner_text()
    with page.expect_navigation():
        card.locator("button[value=accepted]").tap()  # above the card's own link to the meeting
    assert page.url == f"{world}/meetings/"  # back on the list, with the answer given
    assert "您的回复: 参加" in page.locator("#upcoming-cards li[data-meeting]").first.inner_text()
    inv = User.objects.get(username="rc_member").meeting_invitations.get(meeting__status=Meeting.Status.CONFIRMED)
    assert inv.response == "accepted"
    ctx.close()
    assert not errors, errors
