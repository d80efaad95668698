"""Diagnostics drawn on a diagram: error/warning states, messages as <title>, HTML ids for links, edges too."""

from __future__ import annotations

from lxml import etree

from designer_export.svg import render_svg
from tests.designer.web_support import FIXED

SVG = "{http://www.w3.org/2000/svg}"


def test_states_titles_and_anchors_on_shapes_and_edges() -> None:
    text = render_svg(
        FIXED,
        {"s1": "error", "s2": "warning", "f1": "error"},
        titles={"s1": "error: <b>no implementation</b>", "f1": "error: missing condition"},
        id_prefix="file3-",
    )
    svg = etree.fromstring(text.encode())
    groups = {g.get("data-element-id"): g for g in svg.iter(f"{SVG}g")}
    assert {key: g.get("class") for key, g in groups.items()} == {
        "start": "element", "s1": "element error", "s2": "element warning", "end": "element",
    }  # fmt: skip
    assert groups["s1"].get("id") == "file3-s1" and groups["start"].get("id") == "file3-start"
    assert groups["s1"][0].tag == f"{SVG}title" and groups["s1"][0].text == "error: <b>no implementation</b>"
    assert "&lt;b&gt;" in text and "<b>" not in text  # the message is text, never markup
    assert groups["s2"].find(f"{SVG}title").text == "Close: warning"  # type: ignore[union-attr]  # no title given: name and state
    assert [r.get("stroke") for r in groups["s2"].iter(f"{SVG}rect")] == ["#e65100"]
    edges = {line.get("data-element-id"): line for line in svg.iter(f"{SVG}polyline")}
    assert (edges["f1"].get("class"), edges["f1"].get("stroke"), edges["f1"].get("id")) == (
        "edge error",
        "#c62828",
        "file3-f1",
    )
    assert edges["f1"].find(f"{SVG}title").text == "error: missing condition"  # type: ignore[union-attr]
    assert edges["f0"].get("class") is None and edges["f0"].find(f"{SVG}title") is None


def test_without_options_the_drawing_is_unchanged() -> None:
    svg = etree.fromstring(render_svg(FIXED).encode())
    assert all(g.get("id") is None and g.find(f"{SVG}title") is None for g in svg.iter(f"{SVG}g"))
    assert {line.get("stroke") for line in svg.iter(f"{SVG}polyline")} == {"#333333"}
