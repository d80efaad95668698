"""The deployed versions a call activity can bind to, read in the unit of work that runs the instance.

The runtime (engine.runtime.calls) asks when a call activity starts: ``latest`` takes the newest version
deployed now, ``version`` a given version number, ``versionTag`` the newest version whose process carries
that tag (``camunda:versionTag``, Camunda 8's ``zeebe:versionTag``). A key names the version for good
(``process_key:version``); the instance state keeps it, so the call finishes on the version it started on.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.bpmn_xml import BPMN_NS, CAMUNDA_NS, ZEEBE_NS
from engine.bpmn.dmn.dialect import FEEL, dialect
from engine.bpmn.resources import Resource, dmn_namespaces
from engine.domain.errors import NotFound
from engine.domain.messages import msg
from engine.runtime.calls import CallBinding
from engine.runtime.decisions import imported_models
from engine.runtime.serialization import ParsedDefinition
from engine.services.designer.decision_versions import latest_decisions
from engine.services.designer.decision_versions import version_tag as decision_tag
from engine.services.designer.deployment import parsed_definition
from engine.store.models import DecisionDefinition, ProcessDefinition
from engine.store.queries import latest_definition

DecisionFile = tuple[str, str, list[tuple[str, str]]]  # DMN text, file name, imported (text, file name)

# A deployed decision file never changes; whether it is FEEL and whether it imports other models took two XML
# parses of it for every decision task of every unit of work (a portal submission runs four). Keyed by the
# content's hash too: ids name other files in another database.
_FACTS: dict[tuple[int, int], tuple[bool, bool]] = {}


def _file_facts(row: DecisionDefinition) -> tuple[bool, bool]:
    """(written in FEEL, imports other models) of a deployed decision file."""
    key = (row.id, hash(row.content))
    facts = _FACTS.get(key)
    if facts is None:
        root = etree.fromstring(row.content.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
        facts = (dialect(root) == FEEL, bool(dmn_namespaces(Resource(row.filename, row.content))[1]))
        _FACTS[key] = facts
    return facts


def version_key(definition: ProcessDefinition) -> str:
    return f"{definition.process_key}:{definition.version}"


def version_tag(definition: ProcessDefinition) -> str | None:
    """The version tag the process of a stored version declares (Camunda 7 attribute or Camunda 8 element)."""
    for resource in definition.resources:
        if resource.kind != "bpmn":
            continue
        try:
            root = etree.fromstring(resource.content.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            continue
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("id") != definition.process_key:
                continue
            tag = process.get(f"{{{CAMUNDA_NS}}}versionTag")
            if tag is None:
                found = process.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}versionTag")
                tag = found.get("value") if found is not None else None
            return tag.strip() if tag and tag.strip() else None
    return None


class DeployedVersions:
    """engine.runtime.calls.CalledProcesses on the database of one unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._parsed: dict[str, ParsedDefinition] = {}
        self._decisions: dict[tuple[str, str, str], DecisionFile | None] = {}

    def find(self, process_id: str, binding: CallBinding) -> ProcessDefinition | None:
        """The version a call bound this way runs if it starts now."""
        if binding.binding == "version":
            if not binding.value.isdigit():
                return None
            return self._version(process_id, int(binding.value))
        if binding.binding == "versionTag":
            rows = self.session.scalars(
                select(ProcessDefinition)
                .where(ProcessDefinition.process_key == process_id)
                .order_by(ProcessDefinition.version.desc())
            )
            return next((row for row in rows if version_tag(row) == binding.value), None)
        return latest_definition(self.session, process_id)

    def resolve(self, process_id: str, binding: CallBinding) -> str | None:
        found = self.find(process_id, binding)
        return version_key(found) if found is not None else None

    def definition(self, key: str) -> ParsedDefinition:
        if key not in self._parsed:
            process_key, _, version = key.rpartition(":")
            row = self._version(process_key, int(version)) if version.isdigit() else None
            if row is None:
                raise NotFound(msg("notfound.called_version", key=key))
            self._parsed[key] = parsed_definition(row)
        return self._parsed[key]

    def _version(self, process_key: str, version: int) -> ProcessDefinition | None:
        return self.session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.process_key == process_key, ProcessDefinition.version == version
            )
        ).first()

    def decision(self, decision_id: str, binding: str, tag: str) -> DecisionFile | None:
        """The newest deployed version of a decision (with the tag, for ``versionTag``), if FEEL runs it."""
        wanted = (decision_id, binding, tag)
        if wanted not in self._decisions:
            self._decisions[wanted] = self._decision_file(decision_id, binding, tag)
        return self._decisions[wanted]

    def _decision_file(self, decision_id: str, binding: str, tag: str) -> DecisionFile | None:
        rows = self.session.scalars(
            select(DecisionDefinition)
            .where(DecisionDefinition.decision_key == decision_id)
            .order_by(DecisionDefinition.version.desc())
        )
        if binding == "versionTag":
            row = next((row for row in rows if decision_tag(row.content, decision_id) == tag), None)
        else:
            row = next(iter(rows), None)
        if row is None:
            return None
        feel, importing = _file_facts(row)
        if not feel:
            return None  # SpiffWorkflow's engine runs the older dialect from the process version's own copy
        imports: list[tuple[str, str]] = []
        if importing:
            models: dict[str, tuple[str, str]] = {}  # the newest file of each namespace
            for latest in sorted(latest_decisions(self.session), key=lambda d: (d.deployed_at, d.id), reverse=True):
                namespace, _ = dmn_namespaces(Resource(latest.filename, latest.content))
                models.setdefault(namespace, (latest.content, latest.filename))
            imports = imported_models(row.content, models)
        return row.content, row.filename, imports
