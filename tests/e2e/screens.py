"""Drawing pages for a person to look at: each page at 1280 and 390 px into test-artifacts/,
with nothing sticking out sideways on the phone (``test_phone_layout.fits``)."""

from __future__ import annotations

from tests.e2e.test_matchmaking_flow import login
from tests.e2e.test_phone_layout import ARTIFACTS, PHONE, fits

DESKTOP = {"width": 1280, "height": 900}
# True once the fonts are in and no image is still loading (the pages' scripts fetch nothing).
SETTLED = "document.fonts.ready.then(() => [...document.images].every(image => image.complete))"


def signed_in(browser, live_server: str, email: str, locale: str) -> dict:
    """The cookies of one sign-in through the form, for fresh contexts of the same person:
    signing in again before every page drew the sign-in pages over and over."""
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    try:
        login(context.new_page(), live_server, email)
        return context.storage_state()
    finally:
        context.close()


def draw_pages(live_server: str, browser, pages: dict, prefix: str, locale: str) -> None:
    """``pages``: name → (e-mail of the user to sign in as, or None; path). Each page is drawn
    in a context of its own once it has settled: the network is waited for only while an image
    (a lazy one) is still loading, as waiting for it to stay idle costs half a second a page."""
    ARTIFACTS.mkdir(exist_ok=True)
    sessions: dict[str, dict] = {}
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        for name, (user, path) in pages.items():
            if user and user not in sessions:
                sessions[user] = signed_in(browser, live_server, user, locale)
            context = browser.new_context(
                locale=locale, viewport=viewport, storage_state=sessions.get(user)
            )
            try:
                page = context.new_page()
                response = page.goto(f"{live_server}{path}")
                assert response.status == 200, (name, response.status)
                if not page.evaluate(SETTLED):
                    page.wait_for_load_state("networkidle")
                page.screenshot(
                    path=ARTIFACTS / f"{prefix}-{name}-{width}-{locale}.png", full_page=True
                )
                if viewport is PHONE:
                    fits(page, name)
            finally:
                context.close()
