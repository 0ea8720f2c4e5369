"""Drawing pages for a person to look at: each page at 1280 and 390 px into test-artifacts/,
with nothing sticking out sideways on the phone (``test_phone_layout.fits``)."""

from __future__ import annotations

from tests.e2e.test_matchmaking_flow import login
from tests.e2e.test_phone_layout import ARTIFACTS, PHONE, fits

DESKTOP = {"width": 1280, "height": 900}


def draw_pages(live_server: str, browser, pages: dict, prefix: str, locale: str) -> None:
    """``pages``: name → (e-mail of the user to sign in as, or None; path)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        for name, (user, path) in pages.items():
            context = browser.new_context(locale=locale, viewport=viewport)
            try:
                page = context.new_page()
                if user:
                    login(page, live_server, user)
                response = page.goto(f"{live_server}{path}")
                assert response.status == 200, (name, response.status)
                page.wait_for_load_state("networkidle")
                page.screenshot(
                    path=ARTIFACTS / f"{prefix}-{name}-{width}-{locale}.png", full_page=True
                )
                if viewport is PHONE:
                    fits(page, name)
            finally:
                context.close()
