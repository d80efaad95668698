"""Shared browser test support: Debian's Chromium via Playwright, a live server, screenshots, sign-in.

Screenshots of the main pages are kept under tests/webui/artifacts/ (not in git) for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.webui.live_server import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


class Shots:
    def __init__(self, backend: str) -> None:
        self.backend = backend
        ARTIFACTS.mkdir(exist_ok=True)

    def __call__(self, page: Page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}-{self.backend}.png"), full_page=True)


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.click("button[type=submit]")


def sign_out(page: Page) -> None:
    page.click("header .account button")
    expect(page.locator("#username")).to_be_visible()


def open_page(browser: Browser, **options: Any) -> tuple[BrowserContext, Page, list[str]]:
    """A fresh context and page (desktop size, English) and the list its console errors are collected in."""
    context = browser.new_context(**{"viewport": {"width": 1360, "height": 900}, "locale": "en-GB", **options})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return context, page, errors
