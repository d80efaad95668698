"""The document a normalisation pass works on: the tree, the mode, the findings, fresh ids and drops.

Every pass takes a :class:`Context` and changes its tree in place; none imports another pass's module
for it, so the passes can be read (and tested) one by one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from lxml import etree

from engine.bpmn.bpmn_xml import index_by_id
from engine.bpmn.diagnostics import ERROR, INFO, WARNING, Diagnostic, at, local_name
from engine.domain.messages import msg


class Context:
    """One document being normalised: the tree, the mode, the findings and fresh-id bookkeeping."""

    def __init__(
        self, root: etree._Element, filename: str, as_executable: bool, forms: Mapping[str, str] | None = None
    ) -> None:
        self.root = root
        # Camunda Forms at hand (uploaded with the diagram or deployed before): form id -> JSON text.
        self.forms: Mapping[str, str] = forms or {}
        self.filename = filename
        self.as_executable = as_executable
        self.diagnostics: list[Diagnostic] = []
        self.changed = False
        self.removed: set[str] = set()
        self.processes: list[etree._Element] = []  # the processes that will run; others are left alone
        self._ids = set(index_by_id(root))
        self._dropped: dict[str, list[etree._Element]] = defaultdict(list)
        self._dropped_text: dict[str, str] = {}

    def note(self, node: etree._Element | None, severity: str, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(at(node, severity, code, message, hint, file=self.filename))

    def error(self, node: etree._Element | None, code: str, message: str, hint: str = "") -> None:
        self.note(node, ERROR, code, message, hint)

    def warn(self, node: etree._Element | None, code: str, message: str, hint: str = "") -> None:
        self.note(node, WARNING, code, message, hint)

    def new_id(self, base: str) -> str:
        candidate = re.sub(r"[^A-Za-z0-9_.-]", "_", base)
        if not re.match(r"^[A-Za-z_]", candidate):
            candidate = f"cf_{candidate}"
        number, result = 1, candidate
        while result in self._ids:
            number += 1
            result = f"{candidate}_{number}"
        self._ids.add(result)
        return result

    def remove(self, node: etree._Element, code: str | None = None, what: str = "") -> None:
        """Drop an element (and its diagram shapes later); decoration drops are summarised per kind."""
        parent = node.getparent()
        if parent is None:
            return
        for child in node.iter():
            if isinstance(child.tag, str) and child.get("id"):
                self.removed.add(child.get("id", ""))
        if code:
            self._dropped[code].append(node)
            self._dropped_text[code] = what
        parent.remove(node)
        self.changed = True

    def summarise_drops(self) -> None:
        for code, nodes in self._dropped.items():
            count = len(nodes)
            first = nodes[0]
            self.diagnostics.append(
                Diagnostic(
                    INFO,
                    code,
                    msg("diag.dropped", what=self._dropped_text[code], num=count),
                    element_id=first.get("id") or None,
                    element_type=local_name(first) or None,
                    line=first.sourceline or None,
                    file=self.filename,
                )
            )
