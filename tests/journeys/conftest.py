"""Fixtures of the journey suite: one shipped app and one Chromium per test module, one journey per person.

Screenshots of every step are kept under tests/journeys/artifacts/<test>/ when the test fails (or always with
JOURNEY_KEEP_SHOTS=1), at 1280 and 390 px width.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.journeys.journey import ARGS, CHROMIUM, Journey
from tests.journeys.shipped import ShippedApp, set_up_as_make_run, shipped_app

FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def prepared_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The instance folder after `make run`'s set-up commands, once per test process."""
    instance = tmp_path_factory.mktemp("prepared") / "instance"
    set_up_as_make_run(instance)
    return instance


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory, prepared_instance: Path) -> Iterator[ShippedApp]:
    with shipped_app(tmp_path_factory.mktemp("shipped"), prepared_instance) as app:
        yield app


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def journey(request: pytest.FixtureRequest, browser: Browser, shipped: ShippedApp) -> Iterator[Callable[..., Journey]]:
    """Make a journey (a person with their own browser context); all are checked and closed at the end."""
    made: list[Journey] = []
    test = request.node.name

    def make(person: str, locale: str = "en-GB") -> Journey:
        journey = Journey(browser, shipped.base_url, f"{test}/{person}", locale)
        made.append(journey)
        return journey

    yield make
    failed = request.node.stash.get(FAILED, True) or any(journey.problems for journey in made)
    keep = failed or os.environ.get("JOURNEY_KEEP_SHOTS") == "1"
    for journey in made:
        journey.close(keep, failed)
    if made and not keep:
        made[0].folder.parent.rmdir()
    for journey in made:
        journey.check()
