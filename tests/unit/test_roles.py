"""Role names live in engine/domain/roles.py only: product code names a constant or a permission set."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from engine.domain import roles
from engine.domain.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("engine", "webui", "notifications", "complaintflow", "designer_export")
HOME = "engine/domain/roles.py"
# A string that equals a role name but means something else (a user name, a lane group, a blueprint)
# says so on its line, where a reviewer sees it.
NOT_A_ROLE = "# not a role"
TEMPLATE_ROLE_STRING = re.compile(r"has_role\([^)]*['\"]")


def bare_role_strings(path: Path, roles: tuple[str, ...] = ROLES) -> list[str]:
    """``path:line: 'role'`` for every string literal equal to a role name, unless its line says it is not one."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return [
        f"{shown}:{node.lineno}: {node.value!r}"
        for node in ast.walk(ast.parse(source, filename=str(path)))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in roles
        and NOT_A_ROLE not in lines[node.lineno - 1]
    ]


def test_no_bare_role_string_in_product_code() -> None:
    found = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() != HOME:
                found.extend(bare_role_strings(path))
    assert found == []


def test_role_names_are_imported_from_their_home() -> None:
    """``ROLE_ADMIN`` and the sets come from engine.domain.roles, not from a module that happens to import them."""
    names = {name for name in vars(roles) if name.startswith("ROLE") or name.endswith("_ROLES")}
    found = []
    for package in (*PRODUCT_PACKAGES, "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module != "engine.domain.roles":
                    found += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name in names]
    assert found == []


def test_templates_check_roles_through_the_named_sets() -> None:
    found = []
    for path in sorted((ROOT / "webui" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TEMPLATE_ROLE_STRING.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


def test_the_checker_sees_a_bare_role(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'ok = ROLE_ADMIN\nbad = {"admin", "x"}\nname = "admin"  # not a role: a user name\nrequire("team_lead")\n'
    )
    assert [hit.split(":", 1)[1] for hit in bare_role_strings(sample)] == ["2: 'admin'", "4: 'team_lead'"]
    assert TEMPLATE_ROLE_STRING.search("{% if current_user.has_role('admin') %}")
    assert not TEMPLATE_ROLE_STRING.search("{% if current_user.has_role(*roles.AUDIT_ROLES) %}")
