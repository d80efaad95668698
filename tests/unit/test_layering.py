"""The dependency rules of DESIGN.md, checked by walking every import statement.

Layers: ``engine/domain`` imports nothing of ours; ``engine/bpmn`` reads diagram files without
SpiffWorkflow, the runtime or the use cases; ``engine/runtime`` is the only code that imports
SpiffWorkflow; ``engine`` never imports Flask, ``webui`` or ``notifications``; nothing imports ``webui``;
``designer_export`` takes the runtime only for its trial runs; ``complaintflow`` only wires (no use case,
imported by nobody but webui's app factory). And no two modules import each other, directly or around a
loop, in any package, webui included.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("engine", "webui", "notifications", "designer_export", "complaintflow")
# Packages whose modules must not import each other in a loop.
ACYCLIC = ("engine", "designer_export", "notifications", "complaintflow", "webui")


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
    """Imports in ``package`` of a forbidden top-level package or of a forbidden dotted prefix."""
    found = []
    for path in python_files(package):
        relative = path.relative_to(ROOT).as_posix()
        if any(relative.startswith(prefix) for prefix in allowed_under):
            continue
        for module in imported_modules(path):
            if top(module) in forbidden or any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append(f"{relative} imports {module}")
    return found


def test_engine_never_imports_flask_webui_or_notifications() -> None:
    assert violations("engine", {"flask", "flask_login", "flask_wtf", "flask_babel", "webui", "notifications"}) == []


def test_engine_never_imports_the_designer_package() -> None:
    """``designer_export`` builds on the engine (its checks read diagrams, its use cases deploy them)."""
    assert violations("engine", {"designer_export"}) == []


def test_spiffworkflow_only_in_engine_runtime() -> None:
    assert violations("engine", {"SpiffWorkflow"}, allowed_under=("engine/runtime/",)) == []
    for package in ("complaintflow", "webui", "notifications", "designer_export"):
        if (ROOT / package).exists():
            assert violations(package, {"SpiffWorkflow"}) == []


def test_bpmn_reads_diagrams_without_the_runtime_or_the_use_cases() -> None:
    forbidden = {"SpiffWorkflow", "engine.runtime", "engine.services", "engine.actions", "engine.scheduler"}
    assert violations("engine/bpmn", forbidden) == []


def test_runtime_does_not_reach_up_into_use_cases_or_storage() -> None:
    assert violations("engine/runtime", {"engine.services", "engine.actions", "engine.store", "sqlalchemy"}) == []


def test_designer_export_takes_the_runtime_only_for_trial_runs() -> None:
    forbidden = {"engine.runtime", "SpiffWorkflow"}
    found = violations("designer_export", forbidden, allowed_under=("designer_export/trial.py",))
    # The engine's limits are plain numbers (no SpiffWorkflow) that the loop check must agree with.
    assert [line for line in found if not line.endswith(" imports engine.runtime.limits")] == []


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


def test_complaintflow_only_wires() -> None:
    """The composition root holds no use case and no protocol others build on.

    Nothing but webui's app factory (for its default wiring, ``complaintflow.context``) imports it, and it
    never opens or commits a unit of work itself: that is what the services in engine/services do.
    """
    for package in ("engine", "notifications", "designer_export"):
        assert violations(package, {"complaintflow"}) == []
    found = []
    for path in python_files("webui"):
        found += [f"{path.relative_to(ROOT)} imports {module}" for module in imported_modules(path)]
    assert [line for line in found if " complaintflow" in line] == ["webui/app.py imports complaintflow.context"]
    commits = re.compile(r"\bunit_of_work\b|\bcommit\(|\.commit\(\)")
    assert [path.name for path in python_files("complaintflow") if commits.search(path.read_text("utf-8"))] == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import flask\nfrom webui.app import create_app\nfrom .local import x\n")
    assert imported_modules(sample) == {"flask", "webui.app"}


# --- import cycles ---------------------------------------------------------------------------------


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: top level, and inside top-level if/try blocks.

    ``if TYPE_CHECKING:`` imports count too: a loop hidden from the interpreter is still a loop a reader
    has to follow. Imports inside functions do not run at import time and are left out.
    """
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try):
            yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
            if isinstance(node, ast.Try):
                yield from _module_level_imports(node.finalbody)
                for handler in node.handlers:
                    yield from _module_level_imports(handler.body)


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = OURS) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports at module level (``from pkg import sub`` means ``pkg.sub``)."""
    paths = {module_name(path, root): path for package in packages for path in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        edges: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in paths)
                continue
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{module}.{alias.name}"
                if target in paths:
                    edges.add(target)
                elif module in paths:
                    edges.add(module)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every loop of imports, as one path per strongly connected group: ``[a, b, ..., a]``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(_loop_through(sorted(group), graph))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _loop_through(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest import path from the group's first module back to itself, to show in the failure."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        current = queue.pop(0)
        for target in sorted(graph[current] & members):
            if target == start:
                return [*paths[current], start]
            if target not in paths:
                paths[target] = [*paths[current], target]
                queue.append(target)
    return group


def test_no_import_cycles() -> None:
    graph = import_graph()
    loops = [loop for loop in cycles(graph) if all(top(module) in ACYCLIC for module in loop)]
    assert loops == [], "import cycles:\n" + "\n".join(" -> ".join(loop) for loop in loops)


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "engine"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from engine.sub import b\n")
    hidden = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ..c import C\n"
    (package / "sub" / "b.py").write_text(hidden)
    (package / "c.py").write_text("import engine.a\n\ndef late():\n    from engine import d\n")
    (package / "d.py").write_text("from engine import c\n")
    graph = import_graph(tmp_path, ("engine",))
    assert graph["engine.sub.b"] == {"engine.c"} and graph["engine.c"] == {"engine.a"}
    assert cycles(graph) == [["engine.a", "engine.sub.b", "engine.c", "engine.a"]]
