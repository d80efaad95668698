"""The shipped complaint process library: BPMN 2.0 and DMN 1.3 files (package data), documented in README.md.

Deploy them all together (``complaintflow deploy processes/*.bpmn processes/*.dmn``); the main process calls
the others and uses the decisions.
"""

from __future__ import annotations

from pathlib import Path

PROCESS_DIR = Path(__file__).resolve().parent

# The process a new complaint starts (engine.services.intake.complaints.open_complaint's process_key).
MAIN_PROCESS = "complaint_handling"
# Called by the main process; deployable on their own but not meant to be started directly.
CASE_WORK_PROCESS = "complaint_case_work"
DEPARTMENT_PROCESS = "department_handover"


def process_files() -> list[Path]:
    """Every shipped BPMN and DMN file, sorted by name."""
    return sorted(path for path in PROCESS_DIR.iterdir() if path.suffix in (".bpmn", ".dmn"))
