"""One person's way through the app in Chromium: every step screenshotted, every answer and console checked.

A page of the app that answers 4xx or 5xx, a JavaScript error or a console error fails the journey at the
next step, unless the step is a deliberate bad input (:meth:`Journey.bad_input`), which must answer the
expected status and show a message on the page.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Response, expect

CHROMIUM = "/usr/bin/chromium"
# One time-zone rule on every page: a date with a time of day always carries the zone, and it is the app's zone
# (the default setting, Europe/Berlin). Dates as the staff UI (en: 12/6/26, 8:24 AM; medium: Dec 6, 2026, 8:24:11 AM),
# the German UI (06.12.26, 08:26) and ISO 8601 (2026-12-06 08:26 or 2026-12-06T08:26) write them.
DATE_TIME = re.compile(
    r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|[A-Z][a-z]{2} \d{1,2}, \d{4}|\d{1,2}\. [A-ZÄÖÜ][a-zä]{2,3}\.? \d{4}),?[ T]"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M)?(?![\d:])(?P<after>.{0,18})",
    re.S,
)
APP_ZONES = ("CET", "CEST")
# A stored value shown as stored (ISO 8601 in the variables of an instance) states its zone as an offset.
OFFSET = re.compile(r"(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")
# Form controls the app's stylesheet must have styled (a control without padding and rounded corners is the
# browser's default look): visible text inputs, selects, text areas and buttons other than link-like ones.
UNSTYLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(e => e.offsetParent !== null && !['checkbox', 'radio', 'hidden', 'file', 'image', 'range', 'color']
    .includes(e.type) && !e.classList.contains('link'))
  .filter(e => { const s = getComputedStyle(e);
    return parseFloat(s.borderTopLeftRadius) === 0 || parseFloat(s.paddingLeft) < 4; })
  .map(e => e.outerHTML.slice(0, 120))"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WIDTHS = (1280, 390)
expect.set_options(timeout=20_000)
HEIGHT = 900


class Journey:
    """A browser context for one person (desktop width, English by default) and the record of its steps."""

    def __init__(self, browser: Browser, base_url: str, name: str, locale: str = "en-GB") -> None:
        self.base_url = base_url
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.context: BrowserContext = browser.new_context(
            viewport={"width": WIDTHS[0], "height": HEIGHT}, locale=locale
        )
        self.page: Page = self.context.new_page()
        # Generous waits: the suite runs beside the rest of the tests on a 2-core CI machine.
        self.page.set_default_timeout(60_000)
        self.problems: list[str] = []
        self.steps = 0
        self._allowed: int | None = None
        self._seen_allowed: list[Response] = []
        self.page.on("response", self._on_response)
        self.page.on("console", lambda message: self._on_console(message.type, message.text))
        self.page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        # A browser dialog nobody expected (a second "are you sure?") is dismissed and fails the journey.
        self.page.on("dialog", self._on_dialog)

    def _on_response(self, response: Response) -> None:
        if not response.url.startswith(self.base_url) or response.status < 400:
            return
        if self._allowed is not None and response.status == self._allowed:
            self._seen_allowed.append(response)
            return
        self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"unexpected {dialog.type} dialog on {self.page.url}: {dialog.message}")
        dialog.dismiss()

    def _on_console(self, kind: str, text: str) -> None:
        if kind != "error":
            return
        if self._allowed is not None and "status of" in text and str(self._allowed) in text:
            return  # Chromium's own note about the expected 4xx answer
        self.problems.append(f"console error on {self.page.url}: {text}")

    def check(self) -> None:
        """Fail with every unexpected answer or console error seen so far."""
        assert not self.problems, "\n".join(self.problems)

    def step(self, name: str) -> None:
        """Record the page as it is now at each width, then fail if anything went wrong on the way here."""
        self.steps += 1
        self.page.wait_for_load_state("load")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{slug}-{width}.png"), full_page=True)
            wide = self.page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                self.problems.append(f"step {name!r}: {self.page.url} is {wide} px wide at {width} px")
        self.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        self._check_times(name)
        self._check_language_switch(name)
        unstyled = self.page.evaluate(UNSTYLED_CONTROLS)
        if unstyled:
            self.problems.append(f"step {name!r}: unstyled controls on {self.page.url}: {unstyled}")
        self.check()

    def _check_times(self, name: str) -> None:
        """Every date with a time of day on the page names the app's time zone."""
        text = self.page.locator("body").inner_text()
        for match in DATE_TIME.finditer(text):
            after = match.group("after")
            zone = (after.split() or [""])[0].rstrip(".,;)\"'")
            if zone not in APP_ZONES and not OFFSET.match(after):
                self.problems.append(f"step {name!r}: {match.group(0).strip()!r} on {self.page.url} has no zone")

    def _check_language_switch(self, name: str) -> None:
        """A portal page's language switch leads to a page in the other language (never a 405 after a POST)."""
        switch = self.page.locator("a.lang-switch")
        if not switch.count():
            return
        href, language = switch.get_attribute("href"), switch.get_attribute("hreflang")
        answer = self.page.request.get(f"{self.base_url}{href}" if href and href.startswith("/") else str(href))
        if answer.status != 200 or f'<html lang="{language}"' not in answer.text():
            self.problems.append(f"step {name!r}: the language switch {href} answers {answer.status}")

    def fits_narrow_screen(self) -> None:
        """At 390 px nothing on the page scrolls sideways, not even a table inside its frame."""
        self.page.set_viewport_size({"width": WIDTHS[-1], "height": HEIGHT})
        try:
            sideways = self.page.evaluate(
                """() => [...document.querySelectorAll('main *')].filter(e => e.scrollWidth > e.clientWidth + 1
                  && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).map(e => e.outerHTML.slice(0, 80))"""
            )
            wide = self.page.evaluate("document.documentElement.scrollWidth")
        finally:
            self.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        assert wide <= WIDTHS[-1] and not sideways, f"{self.page.url} scrolls sideways at 390 px: {wide} px {sideways}"

    def goto(self, path: str) -> None:
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        self.page.goto(url)

    @contextmanager
    def bad_input(self, status: int, message: str | re.Pattern[str]) -> Iterator[None]:
        """A deliberate wrong input: the block must get ``status`` and the page must then show ``message``."""
        self.check()
        self._allowed, self._seen_allowed = status, []
        try:
            yield
            self.page.wait_for_load_state("load")
            assert self._seen_allowed, f"expected an answer {status}, got none"
            expect(self.page.locator("main")).to_contain_text(message)
        finally:
            self._allowed = None

    def sign_in(self, username: str, password: str = "demo") -> None:
        self.goto("/sign-in")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("load")
        expect(self.page.locator("#username")).to_have_count(0)

    def shoot(self, name: str) -> None:
        """Screenshots of the page as it is now at each width, without checking anything."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{slug}-{width}.png"), full_page=True)
        self.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})

    def close(self, keep: bool, failed: bool = False) -> None:
        if failed:
            # The page where the journey stopped (an assertion between two steps), beside the steps before it.
            self.steps += 1
            try:
                self.shoot("where it failed")
            except Exception as error:  # noqa: BLE001 - a page that cannot be shot must not hide the failure
                self.problems.append(f"no screenshot of the failure: {error}")
        self.context.close()
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)
