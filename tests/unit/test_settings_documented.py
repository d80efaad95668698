"""Every COMPLAINTFLOW_* variable the product reads is in docs/production.md's settings table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("engine", "webui", "complaintflow", "notifications", "designer_export")


def _read_by_the_product() -> set[str]:
    names: set[str] = set()
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            names.update(re.findall(r"COMPLAINTFLOW_[A-Z][A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8")))
    return names - {"COMPLAINTFLOW_TEST_POSTGRES_URL", "COMPLAINTFLOW_TEST_SQLITE_ONLY"}


def _documented() -> set[str]:
    rows = [line for line in (ROOT / "docs" / "production.md").read_text().splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`(COMPLAINTFLOW_[A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_is_documented() -> None:
    documented = _documented()
    # A name that only prefixes documented ones comes from a message such as "COMPLAINTFLOW_IMAP_* settings".
    missing = {
        name for name in _read_by_the_product() - documented if not any(d.startswith(name + "_") for d in documented)
    }
    assert not missing, f"add these to the settings table in docs/production.md: {sorted(missing)}"
