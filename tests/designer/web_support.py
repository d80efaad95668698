"""Diagrams with a layout for the designer pages' tests (the upload page draws a file's own BPMNDI)."""

from __future__ import annotations

import io
from typing import Any

from tests.designer.helpers import diagram, linear
from tests.webui.support import Client


def with_layout(text: str, shapes: list[str], process_id: str = "p", flows: int = 0) -> str:
    """Add a BPMNDI plane: one 100x80 box per id in ``shapes`` left to right, and edges f0..f{flows-1}."""
    boxes = "".join(
        f'<bpmndi:BPMNShape id="sh_{element}" bpmnElement="{element}">'
        f'<dc:Bounds x="{n * 150}" y="50" width="100" height="80"/></bpmndi:BPMNShape>'
        for n, element in enumerate(shapes)
    )
    edges = "".join(
        f'<bpmndi:BPMNEdge id="ed_f{n}" bpmnElement="f{n}"><di:waypoint x="{n * 150 + 100}" y="90"/>'
        f'<di:waypoint x="{n * 150 + 150}" y="90"/></bpmndi:BPMNEdge>'
        for n in range(flows)
    )
    plane = (
        f'<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{process_id}">'
        f"{boxes}{edges}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    return text.replace("</definitions>", plane + "</definitions>")


def two_steps(first: str, second: str = '<userTask id="s2" name="Close" camunda:candidateGroups="agent"/>') -> str:
    """start -> s1 -> s2 -> end with a drawn layout; ``first`` is the XML of s1."""
    return with_layout(diagram(linear(first, second)), ["start", "s1", "s2", "end"], flows=3)


BROKEN = two_steps('<serviceTask id="s1" name="Pay the refund"/>')  # no implementation: an error on s1
WARNED = two_steps('<userTask id="s1" name="Answer"/>')  # nobody is assigned: a warning on s1
FIXED = two_steps('<userTask id="s1" name="Answer" camunda:candidateGroups="agent"/>')


def upload(client: Client, *files: tuple[str, bytes | str], deploy: bool = False, **fields: Any) -> Any:
    """POST the upload form with files (name, content); ``deploy`` presses "Check and deploy"."""
    data: dict[str, Any] = {"deploy" if deploy else "check": "1", **fields}
    data["files"] = [
        (io.BytesIO(content.encode() if isinstance(content, str) else content), name) for name, content in files
    ]
    return client.post("/designer/upload", data, content_type="multipart/form-data")
