"""Every error a service raises for people carries a message code, and every code renders in German.

The engine raises ``Message`` values (English text with a code and parameters); the web UI renders them from the
code (webui/engine_text.py). A literal English text at a raise site would reach a German user untranslated, so the
first test reads the services' source and fails on any. The others check that each code used in the engine exists,
is called with the parameters its English and German templates name, and renders in German.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from engine.bpmn.dmn.errors import DmnError
from engine.bpmn.dmn.loader import definitions_from_text
from engine.bpmn.expressions import translate_expression
from engine.bpmn.feel_runtime import check_feel
from engine.bpmn.sla_table import NotEditable, parse_sla_table
from engine.domain.errors import DeploymentError, FormValidationError, NotFound
from engine.domain.messages import MESSAGES, PLURALS, msg
from webui.engine_text import engine_message

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webui" / "translations"
# Where the errors people see are raised: the use cases, and the runtime calls they make on behalf of a user.
RAISING = [
    *sorted((ROOT / "engine" / "services").rglob("*.py")),
    ROOT / "engine" / "runtime" / "workflow.py",
    ROOT / "engine" / "runtime" / "external.py",
    ROOT / "engine" / "runtime" / "lint.py",
]
# The errors the web UI shows to the user (flash, form errors, error pages).
SHOWN = {
    "ComplaintflowError",
    "NotFound",
    "PermissionDenied",
    "Conflict",
    "AlreadyCompleted",
    "InvalidState",
    "DeploymentError",
    "KeyReused",
    "RateLimited",
    "SlaError",
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _is_text(node: ast.expr) -> bool:
    """A literal English text: a string, an f-string, or a concatenation or formatting of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _literal_messages(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        texts: list[ast.expr] = []
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            name = getattr(node.exc.func, "id", None) or getattr(node.exc.func, "attr", "")
            first = node.exc.args[0]
            if name in SHOWN:
                texts.append(first)
            elif name == "FormValidationError" and isinstance(first, ast.Dict):
                texts.extend(value for value in first.values if value is not None)
            elif name == "FormValidationError" and isinstance(first, ast.DictComp):
                texts.append(first.value)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0].value
            if isinstance(target, ast.Name) and target.id == "errors":  # a service's field errors
                texts.append(node.value)
        found += [f"{path.name}:{text.lineno}: {ast.unparse(text)[:80]}" for text in texts if _is_text(text)]
    return found


def _msg_calls() -> list[tuple[str, str, set[str] | None]]:
    """(place, code, parameter names or None when passed as **kwargs) of every msg() call in the engine."""
    calls = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "msg" and node.args):
                continue
            code = node.args[0]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords if k.arg}
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", code.value, names))
    return calls


def test_services_raise_no_literal_english() -> None:
    found = [line for path in RAISING for line in _literal_messages(path)]
    assert found == []


def test_the_guard_finds_literal_english(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'raise NotFound(f"task {x} does not exist")\n'
        'raise FormValidationError({"name": "is required"})\n'
        'errors["url"] = "bad " + url\n'
        'raise NotFound(msg("notfound.task", task=x))\n'
    )
    assert len(_literal_messages(sample)) == 3


def test_every_code_used_exists_with_the_parameters_it_names() -> None:
    calls = _msg_calls()
    assert len(calls) > 150
    problems = []
    for place, code, names in calls:
        template = PLURALS.get(code) or MESSAGES.get(code)
        if template is None:
            problems.append(f"{place}: unknown code {code}")
            continue
        wanted = set(_PLACEHOLDER.findall(" ".join(template) if isinstance(template, tuple) else template))
        if names is not None and not wanted <= names:
            problems.append(f"{place}: {code} needs {sorted(wanted)}, is given {sorted(names)}")
    assert problems == []


@pytest.fixture(scope="module")
def german_app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(CATALOGUE)
    Babel(app)
    return app


def _sample(template: str) -> dict[str, object]:
    return {name: 3 if name == "num" else f"<{name}>" for name in _PLACEHOLDER.findall(template)}


def test_every_message_renders_in_german(german_app: Flask) -> None:
    """Rendered in German, no message is its English text, and every parameter appears in it."""
    untranslated = []
    with german_app.test_request_context(), force_locale("de"):
        for code, template in MESSAGES.items():
            params = _sample(template)
            german = engine_message(msg(code, **params))
            placeholders_kept = all(f"<{name}>" in german for name in params if name != "num")
            if german == template % params and re.search(r"[a-z]{3}", template) or not placeholders_kept:
                untranslated.append(f"{code}: {german}")
    # Texts that are the same in both languages (technical formats, a pure placeholder pattern whose parameters
    # are coded messages themselves).
    same = {
        "calendar.hours_format",
        "sla.named_error",
        "hint.dmn-xpath-regex",
        "diag.letter-template",
        "dmn.feel",
        "part.feel_problem",
    }
    assert [line for line in untranslated if line.split(":")[0] not in same] == []


@pytest.mark.parametrize(
    ("error", "german"),
    [
        (NotFound(msg("notfound.task", task="t-1")), "Aufgabe t-1 existiert nicht"),
        (
            FormValidationError({"url": msg("webhook.url_absolute")}).errors["url"],
            "muss eine absolute http://- oder https://-URL sein",
        ),
        (
            NotFound(msg("denied.four_eyes", user="bert", task="Prüfen")),
            "bert darf die Aufgabe 'Prüfen' nicht bearbeiten (Vier-Augen-Prinzip)",
        ),
        (
            NotFound(msg("removal.has_instances", num=1)),
            "das Deployment hat 1 Prozessinstanz; sie behält ihre Version, daher kann das Deployment nicht gelöscht "
            "werden",
        ),
    ],
)
def test_raised_errors_render_in_german(german_app: Flask, error: object, german: str) -> None:
    with german_app.test_request_context(), force_locale("de"):
        assert engine_message(error) == german  # type: ignore[arg-type]
    assert str(error) != german  # the API and the logs keep the English


def test_a_coded_deployment_error_keeps_its_place(german_app: Flask) -> None:
    error = DeploymentError(msg("deploy.no_files"), filename="sla.dmn", element_id="rule_3", line=12)
    with german_app.test_request_context(), force_locale("de"):
        assert engine_message(error) == "keine Dateien zum Deployen (Datei sla.dmn, Element rule_3, Zeile 12)"
    assert str(error) == "no files to deploy (file sla.dmn, element rule_3, line 12)"


def test_parameters_of_diagnostics_are_german_too(german_app: Flask) -> None:
    """Element kinds, FEEL syntax errors and expression problems inside a German sentence are German as well."""
    missing = msg("diag.missing-implementation", kind="serviceTask", needs=msg("part.implementation"))
    feel = msg("diag.feel-syntax", text="a +", problem=check_feel("a +"))
    became = msg("diag.became-user-task", kind="sendTask", why=msg("part.no_implementation"))
    ternary = msg(
        "diag.condition-untranslatable", text="${a ? b : c}", problem=translate_expression("${a ? b : c}").problem
    )
    with german_app.test_request_context(), force_locale("de"):
        assert engine_message(missing) == "das Element Serviceaufgabe hat keine Angabe: Implementierung"
        assert engine_message(feel) == "die Bedingung „a +“ ist kein gültiges FEEL: unerwartetes Ende des Ausdrucks"
        assert engine_message(became).startswith("das Element Sendeaufgabe hat keine Implementierung;")
        assert engine_message(ternary) == "die Bedingung „${a ? b : c}“: verwendet den Bedingungsoperator (?:)"
    with german_app.test_request_context(), force_locale("en"):
        assert engine_message(missing) == "the service task has no implementation"  # the page names the kind too
    assert str(missing) == "the serviceTask has no implementation"  # the CLI and the logs keep the XML name


def test_why_the_sla_form_cannot_edit_a_table_is_german(german_app: Flask) -> None:
    table = (ROOT / "processes" / "sla_targets.dmn").read_text(encoding="utf-8").replace('hitPolicy="FIRST"', "")
    with pytest.raises(NotEditable) as refused:
        parse_sla_table(table)
    with german_app.test_request_context(), force_locale("de"):
        german = engine_message(refused.value)
    assert german == "das Formular bearbeitet eine Entscheidungstabelle mit der Trefferregel FIRST"
    assert str(refused.value) == "the form edits a decision table with hit policy FIRST"


def test_zeebe_mapping_parts_are_german(german_app: Flask) -> None:
    problem = msg("diag.feel-syntax.2", what=msg("part.input_mapping", target="total"), text="=a +", problem="x")
    with german_app.test_request_context(), force_locale("de"):
        assert engine_message(problem).startswith("Eingabezuordnung an 'total' „=a +“ ist kein gültiges FEEL")


def test_a_dmn_model_the_evaluator_refuses_is_german(german_app: Flask) -> None:
    with pytest.raises(DmnError) as refused:
        definitions_from_text("<definitions><decision", "broken.dmn")
    with german_app.test_request_context(), force_locale("de"):
        assert engine_message(refused.value).startswith("kein wohlgeformtes XML: ")
    assert str(refused.value).startswith("not well-formed XML: ")
