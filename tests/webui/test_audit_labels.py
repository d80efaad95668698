"""Every audit action the engine writes has a label, so timelines and the audit log never show a raw id."""

from __future__ import annotations

import ast
from pathlib import Path

from webui.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2]
# The functions that write audit rows: the action is their third argument or the ``action`` keyword.
WRITERS = {"record", "AuditEntry"}


def _written_actions() -> dict[str, str]:
    found = {}
    for path in (ROOT / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in WRITERS:
                continue
            values = [*node.args[2:3], *(k.value for k in node.keywords if k.arg == "action")]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[value.value] = str(path.relative_to(ROOT))
    return found


def test_every_audit_action_has_a_label() -> None:
    actions = _written_actions()
    assert len(actions) > 50, "the scan finds the audit writers"
    assert {action: path for action, path in actions.items() if action not in ACTION_LABELS} == {}
