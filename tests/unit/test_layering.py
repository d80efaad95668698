"""The dependency rules of DESIGN.md, checked by walking every import statement."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def top(module: str) -> str:
    return module.split(".")[0]


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def violations(package: str, forbidden: set[str], allowed_under: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in python_files(package):
        relative = path.relative_to(ROOT).as_posix()
        if any(relative.startswith(prefix) for prefix in allowed_under):
            continue
        for module in imported_modules(path):
            if top(module) in forbidden:
                found.append(f"{relative} imports {module}")
    return found


def test_engine_never_imports_flask_webui_or_notifications() -> None:
    assert violations("engine", {"flask", "flask_login", "flask_wtf", "flask_babel", "webui", "notifications"}) == []


def test_spiffworkflow_only_in_engine_runtime() -> None:
    assert violations("engine", {"SpiffWorkflow"}, allowed_under=("engine/runtime/",)) == []
    for package in ("complaintflow", "webui", "notifications"):
        if (ROOT / package).exists():
            assert violations(package, {"SpiffWorkflow"}) == []


def test_domain_imports_nothing_of_ours_but_itself() -> None:
    ours = {"engine", "webui", "notifications", "designer_export", "complaintflow", "sqlalchemy", "SpiffWorkflow"}
    found = []
    for path in python_files("engine/domain"):
        for module in imported_modules(path):
            if top(module) in ours and not module.startswith("engine.domain"):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    assert found == []


def test_nothing_imports_webui() -> None:
    for package in ("engine", "notifications", "designer_export", "complaintflow"):
        if (ROOT / package).exists():
            assert violations(package, {"webui"}, allowed_under=("complaintflow/",)) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import flask\nfrom webui.app import create_app\nfrom .local import x\n")
    assert imported_modules(sample) == {"flask", "webui.app"}
