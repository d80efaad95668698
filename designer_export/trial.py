"""The last gate: parse each executable process with the engine's own parser, exactly as deploy will.

Rules and schema catch what they know about; SpiffWorkflow may still refuse a construct. Parsing the
normalised files with the same ``ComplaintflowParser`` makes "deployable" mean what deploy does, and
turns whatever the parser raises (including its own defects) into a located diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.bpmn_xml import index_by_id
from engine.bpmn.diagnostics import ERROR, Diagnostic, local_name
from engine.bpmn.resources import ProcessInfo, Resource, describe_bpmn, describe_dmn
from engine.domain.errors import DeploymentError
from engine.domain.messages import msg

# The runtime is used here, for trial parses, and nowhere else in designer_export (the conformance
# measurement takes its plain-SpiffWorkflow parse from here, the rules their compile policy).
from engine.runtime.parser import build_parser, parse_process
from engine.runtime.parser import plain_spiffworkflow_parses as plain_spiffworkflow_parses
from engine.runtime.script_limits import LimitingTransformer as LimitingTransformer


@dataclass
class Catalogue:
    """Where each process and decision is defined: uploaded files first, then deployed ones."""

    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    files: dict[str, Resource] = field(default_factory=dict)
    decisions: dict[str, Resource] = field(default_factory=dict)

    def add(self, resource: Resource, override: bool = True) -> None:
        try:
            if resource.kind == "dmn":
                for decision in describe_dmn(resource):
                    if override or decision not in self.decisions:
                        self.decisions[decision] = resource
                return
            for info in describe_bpmn(resource):
                if override or info.process_id not in self.processes:
                    self.processes[info.process_id] = info
                    self.files[info.process_id] = resource
        except DeploymentError:
            return  # an unreadable file defines nothing; its own report says why

    def bundle(self, process_id: str) -> list[Resource]:
        """The process's file and every file it needs, as deploy bundles them."""
        needed: dict[str, Resource] = {}
        pending, seen = [process_id], set()
        while pending:
            current = pending.pop()
            if current in seen or current not in self.processes:
                continue
            seen.add(current)
            needed[self.files[current].content] = self.files[current]
            info = self.processes[current]
            pending.extend(info.called_processes)
            for decision in info.decisions:
                if decision in self.decisions:
                    needed[self.decisions[decision].content] = self.decisions[decision]
        return list(needed.values())


def _located(error: Exception, root: etree._Element | None, filename: str) -> Diagnostic:
    element_id = getattr(error, "element_id", None)
    line = getattr(error, "line", None)
    node = index_by_id(root).get(element_id or "") if root is not None else None
    message = str(error)
    if isinstance(error, DeploymentError):
        message = message.split(" (file ", 1)[0]  # the location is in the diagnostic's own fields
    else:
        message = f"the engine's parser failed: {type(error).__name__}: {error}"
    return Diagnostic(
        ERROR,
        "engine-parser",
        message,
        msg("hint.engine-parser"),
        element_id=element_id,
        element_type=local_name(node) if node is not None else None,
        line=line or (node.sourceline if node is not None else None),
        file=filename,
    )


def trial_parse(resource: Resource, root: etree._Element | None, catalogue: Catalogue) -> list[Diagnostic]:
    """Parse every executable process of ``resource`` (or the DMN file) with the engine's parser."""
    try:
        if resource.kind == "dmn":
            build_parser([resource])
            return []
        for info in describe_bpmn(resource):
            if info.executable:
                parse_process(catalogue.bundle(info.process_id) or [resource], info.process_id)
    except Exception as error:  # noqa: BLE001 - any parser failure, even a library defect, is a diagnostic
        return [_located(error, root, resource.filename)]
    return []
