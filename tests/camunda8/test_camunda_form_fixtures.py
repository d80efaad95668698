"""Camunda Modeler's own .form fixtures (and ours) render on the task page: every component produces its markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from designer_export.check import check_paths
from engine.bpmn.camunda_form_values import initial_data, submit
from engine.bpmn.camunda_forms import INPUTS, CamundaForm, Component, FormUnreadable, form_problems, parse_form, walk
from tests.webui.support import make_app
from webui.camunda_form_view import form_nodes

FORMS = Path(__file__).resolve().parent / "forms"
MODELER = sorted((FORMS / "camunda_modeler").glob("*.form"))
READABLE = [path for path in MODELER if path.stat().st_size > 0] + [FORMS / "dispute_review.form"]
# The images of journey-nested.form take their alt text from these variables (FEEL "=alt_root").
# dispute_review.form shows its rejection reason only when the decision is "reject".
VARIABLES = {f"alt_{name}": f"{name} picture" for name in ("root", "flat", "nested", "pathed", "separated")}
VARIABLES["decision"] = "reject"
PAGE = '{% from "partials/camunda_form.html" import render_nodes %}<form>{{ render_nodes(nodes) }}</form>'


@pytest.fixture(scope="module")
def app() -> Flask:
    return make_app(None, None)  # type: ignore[arg-type]  # only templates and Babel are used


def _inputs(form: CamundaForm) -> dict[str, tuple[Component, bool]]:
    """Input name -> (component, inside a dynamic list): ``c8.`` and its data path (group paths, dotted keys)."""
    found: dict[str, tuple[Component, bool]] = {}

    def visit(components: tuple[Component, ...], prefix: tuple[str, ...], in_list: bool) -> None:
        for component in components:
            path = prefix + component.path
            if component.type in INPUTS:
                found["c8." + ".".join(path)] = (component, in_list)
            elif component.type == "group":
                visit(component.children, path, in_list)
            elif component.type == "dynamiclist":
                visit(component.children, (*path, "0"), True)

    visit(form.components, (), False)
    return found


def _names(form: CamundaForm) -> set[str]:
    return set(_inputs(form))


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_each_form_renders_every_component(app: Flask, path: Path) -> None:
    form = parse_form(path.read_text(encoding="utf-8"))
    assert [p for p in form_problems(form) if p.severity == "error"] == []
    with app.test_request_context("/"):
        html = render_template_string(PAGE, nodes=form_nodes(form, VARIABLES, initial_data(form, VARIABLES), {}))
    assert set(re.findall(r'name="(c8\.[^"]+)"', html)) == _names(form)
    kinds = {component.type for component in walk(form.components)}
    for kind, markup in [
        ("text", 'class="c8-text"'),
        ("group", 'class="c8-group"'),
        ("separator", "c8-separator"),
        ("spacer", "c8-spacer"),
        ("dynamiclist", 'class="c8-list"'),
        ("image", 'class="c8-image"'),
        ("textarea", "<textarea"),
        ("number", 'type="number"'),
        ("checkbox", 'type="checkbox"'),
        ("radio", 'type="radio"'),
        ("select", "<select"),
        ("taglist", "<select multiple"),
    ]:
        if kind in kinds:
            assert markup in html, kind
    # An empty submission is refused exactly for the required inputs, each named as its input is.
    outcome = submit(form, {}, VARIABLES)
    # (An empty list has no rows to require; a field hidden by its condition is not required.)
    required = {
        name
        for name, (component, in_list) in _inputs(form).items()
        if component.required and not in_list and component.hide_expression is None
    }
    assert {"c8." + name: message.code for name, message in outcome.errors.items()} == dict.fromkeys(  # type: ignore[attr-defined]
        required, "field.required"
    )


def test_modeler_fixture_with_nested_paths_types_its_values() -> None:
    form = parse_form((FORMS / "camunda_modeler" / "journey-nested.form").read_text(encoding="utf-8"))
    data = {
        "text_root": "a",
        "text_flat": "b",
        "text_nested": "c",
        "pathed": {"text_pathed": "d"},
        "separated": {"path": {"text_separated": "e"}},
        "separated2": {"key": "f"},
    }
    outcome = submit(form, data, {})
    assert outcome.errors == {} and outcome.values == data
    expression = parse_form((FORMS / "camunda_modeler" / "e2e-form-expression.form").read_text(encoding="utf-8"))
    assert submit(expression, {}, {}).values == {"sum": 2}


def test_the_empty_modeler_fixture_is_unreadable() -> None:
    with pytest.raises(FormUnreadable):
        parse_form((FORMS / "camunda_modeler" / "broken-empty.form").read_text(encoding="utf-8"))


def test_designer_check_reads_form_files_beside_the_diagrams(tmp_path: Path) -> None:
    bpmn, form = str(FORMS / "dispute_review.bpmn"), str(FORMS / "dispute_review.form")
    with_form = check_paths([bpmn, form])
    assert [report.status for report in with_form] == ["deployable", "deployable"]
    [alone] = check_paths([bpmn])
    assert [(d.code, d.element_id) for d in alone.diagnostics if d.severity == "warning"] == [
        ("form-not-rendered", "review")
    ]
    broken = tmp_path / "dispute_review.form"
    broken.write_text((FORMS / "dispute_review.form").read_text().replace('"type": "taglist"', '"type": "filepicker"'))
    diagram, _form = check_paths([bpmn, str(broken)])
    [error] = [d for d in diagram.diagnostics if d.severity == "error"]
    assert (error.code, error.element_id, "'tags'" in error.message) == ("form-component-unsupported", "review", True)
    junk = tmp_path / "junk.form"
    junk.write_text("{")
    assert check_paths([bpmn, str(junk)])[1].status == "rejected"


def test_a_form_bound_by_version_tag_is_a_warning(tmp_path: Path) -> None:
    tagged = tmp_path / "dispute_review.bpmn"
    text = (FORMS / "dispute_review.bpmn").read_text(encoding="utf-8")
    tagged.write_text(
        text.replace('formId="dispute_review"', 'formId="dispute_review" bindingType="versionTag" versionTag="v2"')
    )
    diagram, _form = check_paths([str(tagged), str(FORMS / "dispute_review.form")])
    assert [(d.code, d.element_id) for d in diagram.diagnostics if d.severity == "warning"] == [
        ("form-version-tag", "review")
    ]


def test_conditions_on_the_page_see_typed_values_as_the_submission_does() -> None:
    form = parse_form(
        '{"id": "f", "components": [{"type": "number", "key": "n", "label": "N"},'
        ' {"type": "textfield", "key": "t", "label": "T", "conditional": {"hide": "=n < 100"}}]}'
    )
    shown = {node.get("name") for node in form_nodes(form, {}, {"n": "150"}, {})}
    hidden = {node.get("name") for node in form_nodes(form, {}, {"n": "50"}, {})}
    assert (shown, hidden) == ({"c8.n", "c8.t"}, {"c8.n"})
    assert "t" in submit(form, {"n": "150", "t": "x"}, {}).values
    assert "t" not in submit(form, {"n": "50", "t": "x"}, {}).values
