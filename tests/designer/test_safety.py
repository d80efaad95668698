"""Untrusted uploads: junk, huge files, entity bombs and external entities end in a located refusal."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from designer_export import REJECTED
from engine.bpmn.resources import Resource
from engine.domain.errors import DeploymentError
from engine.services.designer import deployment
from tests.designer.helpers import check, codes, diagram, find, linear
from tests.engine.helpers import ADMIN

VALID = diagram(linear('<userTask id="s1" name="Answer" camunda:candidateGroups="agent"/>'))

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;</definitions>'
)
EXTERNAL = (
    "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
    "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL' targetNamespace='t'>"
    "<process id='p' isExecutable='true' name='&x;'><startEvent id='s'/></process></definitions>"
)


def test_a_valid_diagram_passes() -> None:
    report = check(VALID)
    assert report.status == "deployable", [d.text() for d in report.diagnostics]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00\x01\x02\xff\xfe junk \x89PNG", "binary"),
        (b"", "empty"),
        (b"   \n  ", "empty"),
        (b"%PDF-1.4 not xml at all", "not well-formed"),
        (b"<definitions", "not well-formed"),
        (b"<a>" * 5000 + b"</a>" * 5000, "not well-formed"),
        (b'<?xml version="1.0" encoding="utf-8"?><definitions>\xc3\x28</definitions>', "not valid utf-8"),
        (b'<?xml version="1.0" encoding="klingon"?><definitions/>', "unknown encoding"),
    ],
)
def test_junk_is_rejected_with_a_line(data: bytes, expected: str) -> None:
    report = check(data)
    assert report.status == REJECTED
    diagnostic = find(report, "xml")
    assert expected in diagnostic.message.lower()
    assert diagnostic.line is not None and diagnostic.line >= 1


def test_huge_files_are_refused_before_parsing() -> None:
    huge = VALID.encode().replace(b"<process", b"<!--" + b"x" * (6 * 1024 * 1024) + b"--><process", 1)
    started = time.monotonic()
    report = check(huge)
    assert report.status == REJECTED
    assert "larger than 5 MB" in find(report, "xml").message
    assert time.monotonic() - started < 2


def test_entity_bomb_is_refused_quickly() -> None:
    started = time.monotonic()
    report = check(BOMB)
    assert report.status == REJECTED
    assert codes(report, "error") == {"xml"}
    assert time.monotonic() - started < 2


def test_external_entity_is_refused_and_never_read() -> None:
    report = check(EXTERNAL)
    assert report.status == REJECTED
    message = find(report, "xml").message
    assert "DOCTYPE" in message and "root:" not in message


def test_deploy_refuses_a_doctype_too(session: Session, now: datetime) -> None:
    with pytest.raises(DeploymentError, match="DOCTYPE"):
        deployment.deploy(session, ADMIN, [Resource("evil.bpmn", EXTERNAL)], now)


def test_declared_encodings_and_boms_are_read() -> None:
    latin = VALID.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("Answer", "Antwort \u00e4")
    assert check(latin.encode("iso-8859-1")).status == "deployable"
    assert check("\ufeff".encode() + VALID.encode()).status == "deployable"
    assert check(VALID.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")).status == "deployable"


def test_xml_that_is_not_bpmn_is_rejected_at_its_root() -> None:
    report = check("<html><body>hello</body></html>")
    assert report.status == REJECTED
    assert find(report, "not-bpmn").line == 1


def test_dmn_with_doctype_is_refused() -> None:
    dmn = '<!DOCTYPE x [<!ENTITY a "b">]><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"/>'
    report = check(dmn, "table.dmn")
    assert report.status == REJECTED and "DOCTYPE" in find(report, "xml").message


def test_a_large_diagram_is_checked_quickly_with_capped_output() -> None:
    steps, flows, previous = [], [], "start"
    for n in range(3000):
        steps.append(f'<task id="t{n}"/><exclusiveGateway id="g{n}"/><task id="x{n}"/>')
        flows.append(
            f'<sequenceFlow id="a{n}" sourceRef="{previous}" targetRef="t{n}"/>'
            f'<sequenceFlow id="b{n}" sourceRef="t{n}" targetRef="g{n}"/>'
            f'<sequenceFlow id="c{n}" sourceRef="g{n}" targetRef="x{n}"/>'
            f'<sequenceFlow id="d{n}" sourceRef="g{n}" targetRef="x{n}"/>'
        )
        previous = f"x{n}"
    text = diagram('<startEvent id="start"/>' + "".join(steps) + "".join(flows))
    started = time.monotonic()
    report = check(text)
    # A generous bound: it guards against checks that grow quadratically with the diagram (which would take
    # many minutes here), not against a slow CI machine; the check's speed itself is measured in bench/.
    assert time.monotonic() - started < 90
    assert report.status == REJECTED and len(report.diagnostics) == 501
    assert report.diagnostics[-1].code == "truncated"
