"""Safe loading of uploaded BPMN/DMN XML and small helpers over the element tree.

Uploads are untrusted: binary junk, huge files, entity bombs and external entities must end in one
clear refusal, never in a traceback, a hang or a file read. A diagram never needs a DTD, so any DOCTYPE
is refused outright; the parser settings (no entity resolution, no network, libxml2's depth and
amplification limits) are a second line of defence.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.domain.messages import msg

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
# An external task's camunda:inputParameter is kept as a camunda:property with this prefix: the runtime
# turns it into a variable local to the step (what fetchAndLock's localVariables returns).
LOCAL_INPUT_PREFIX = "camunda-input:"
# A Camunda 8 job's zeebe:taskDefinition retries, kept as a camunda:property of this name: the runtime gives
# the job's row these retries when the job is created (a number, or FEEL evaluated then).
JOB_RETRIES_PROPERTY = "zeebe:retries"
ACTIVITI_NS = "http://activiti.org/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

MAX_XML_BYTES = 5 * 1024 * 1024

ACTIVITIES = {
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "scriptTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
SCOPES = {"process", "subProcess", "transaction", "adHocSubProcess"}

_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class XmlRejected(Exception):
    """The bytes are not a document we will look at; ``line`` when the XML parser knows it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def bpmn(tag: str) -> str:
    """Clark notation of a BPMN model tag: ``{...MODEL}userTask``."""
    return f"{{{BPMN_NS}}}{tag}"


def camunda(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


def decode_xml(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), UTF-16 with BOM, or the declared encoding."""
    if len(data) > MAX_XML_BYTES:
        raise XmlRejected(msg("xml.too_large", size=MAX_XML_BYTES // (1024 * 1024)))
    if not data.strip():
        raise XmlRejected(msg("xml.empty"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        raise XmlRejected("the file contains NUL bytes; it is binary, not XML", 1)
    else:
        declared = _DECLARED_ENCODING.match(data.lstrip(codecs.BOM_UTF8))
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8-sig"
        if encoding in ("utf-8", "utf8"):
            encoding = "utf-8-sig"
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except LookupError:
        raise XmlRejected(f"the file declares an unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise XmlRejected(
            f"the file is not valid {encoding.replace('-sig', '')} text (byte {error.start})", line
        ) from None
    if "\x00" in text:
        raise XmlRejected("the file contains NUL characters; it is binary, not XML", 1)
    return text


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def load_xml(text: str) -> etree._Element:
    """Parse document text into an element tree; raises XmlRejected with the line of the problem."""
    data = text.encode("utf-8")
    if len(data) > MAX_XML_BYTES:
        raise XmlRejected(msg("xml.too_large", size=MAX_XML_BYTES // (1024 * 1024)))
    # A diagram never needs a DTD: refuse it before the parser sees its entities at all.
    first_element = re.search(rb"<[A-Za-z_]", data)
    prolog = data[: first_element.start()] if first_element else data
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        line = prolog[: prolog.upper().find(b"<!")].count(b"\n") + 1
        raise XmlRejected(
            "DOCTYPE declarations are not allowed in diagrams (entities could expand or read files)", line
        )
    # The XML declaration may name another encoding; the text is already decoded, so drop it.
    data = re.sub(rb"^<\?xml[^>]*\?>", b"", data, count=1)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise XmlRejected(f"not well-formed XML: {error.msg}", error.lineno) from None
    except (ValueError, etree.LxmlError) as error:
        raise XmlRejected(f"not well-formed XML: {error}") from None
    doctype = root.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None:
        raise XmlRejected("DOCTYPE declarations are not allowed in diagrams (entities could expand or read files)", 1)
    return root


def to_text(root: etree._Element) -> str:
    """Serialise a (normalised) tree as UTF-8 document text with an XML declaration."""
    body: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body.decode("utf-8")


def index_by_id(root: etree._Element) -> dict[str, etree._Element]:
    """Every element with an ``id`` attribute; the first one wins when an id repeats."""
    index: dict[str, etree._Element] = {}
    for node in root.iter():
        if isinstance(node.tag, str):
            node_id = node.get("id")
            if node_id and node_id not in index:
                index[node_id] = node
    return index


def children(node: etree._Element, tag: str) -> list[etree._Element]:
    """Direct BPMN children with the given local tag."""
    return list(node.iterchildren(bpmn(tag)))


def processes(root: etree._Element) -> list[etree._Element]:
    return list(root.iterchildren(bpmn("process")))


def scopes(root: etree._Element) -> Iterator[etree._Element]:
    """Processes and every (event/ad-hoc/transaction) subprocess: the containers of flow elements."""
    for process in processes(root):
        yield process
        for tag in ("subProcess", "transaction", "adHocSubProcess"):
            yield from process.iter(bpmn(tag))


def text_of(node: Any) -> str:
    """Stripped text content of an element (also of mixed content), empty when None."""
    if node is None:
        return ""
    return "".join(node.itertext()).strip()


def is_dmn(root: etree._Element) -> bool:
    return etree.QName(root).localname == "definitions" and "DMN" in (etree.QName(root).namespace or "").upper()


def with_camunda_prefix(root: etree._Element) -> etree._Element:
    """The root, re-created with a ``camunda`` namespace declaration when camunda: names were added.

    lxml cannot add a declaration to an existing element, and would otherwise declare a generated ns0:
    prefix on every element. Unused declarations are kept on purpose: QName attribute values such as
    ``structureRef="xsd:string"`` use prefixes lxml cannot see.
    """
    nsmap = dict(root.nsmap or {})
    if CAMUNDA_NS in nsmap.values():
        return root
    uses_camunda = any(
        isinstance(node.tag, str)
        and (etree.QName(node).namespace == CAMUNDA_NS or any(k.startswith(f"{{{CAMUNDA_NS}}}") for k in node.attrib))
        for node in root.iter()
    )
    if not uses_camunda:
        return root
    prefix = "camunda"
    if nsmap.get(prefix) not in (None, ACTIVITI_NS):
        prefix = "camunda7"
    nsmap[prefix] = CAMUNDA_NS
    new_root = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new_root.text = root.text
    for child in list(root):
        new_root.append(child)
    return new_root
