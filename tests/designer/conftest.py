"""The web UI test fixtures (seeded database, app, signed-in clients) for the designer pages' tests."""

from tests.webui.conftest import anonymous, app, client_for, seeded  # noqa: F401 - fixtures, used by name
