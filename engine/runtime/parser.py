"""Parser flavour: Camunda, extended with the task attributes the stock CamundaParser drops.

Most designers draw in Camunda Modeler, so ``camunda:formData``, ``camunda:decisionRef`` and the
assignment attributes (``assignee``, ``candidateGroups``, ``candidateUsers``, ``dueDate``,
``followUpDate``, ``priority``) must work as they do in Camunda. The stock parser keeps forms and
decisions but ignores assignment; the subclass below puts those attributes into
``task_spec.extensions``, which the stock serializer converters already round-trip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser as BpmnReceiveTaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import ReceiveTask, ServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser as CamundaUserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask as CamundaUserTask
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser

from engine.bpmn.dmn.dialect import FEEL, dialect
from engine.bpmn.resources import Resource, parse_xml
from engine.bpmn.zeebe_elements import camunda8_scopes, zeebe_elements
from engine.domain.errors import DeploymentError
from engine.runtime import conditional  # noqa: F401 - conditional events wait for unset variables
from engine.runtime.calls import BindingCallActivityParser, BoundCallActivity
from engine.runtime.decisions import (
    BusinessRuleTask,
    DecisionTaskParser,
    FeelDecisions,
    FeelModels,
    feel_decision_ids,
)
from engine.runtime.messages import MergingMessageEventDefinition
from engine.runtime.zeebe_conditions import strict_feel_conditions
from engine.runtime.zeebe_loops import apply_zeebe_rules
from engine.runtime.zeebe_shared import apply_shared_scopes

ASSIGNMENT_ATTRIBUTES = (
    "assignee",
    "candidateGroups",
    "candidateUsers",
    "dueDate",
    "followUpDate",
    "priority",
)


def _assignment_extensions(parser: CamundaTaskParser, extensions: dict) -> dict:
    for attribute in ASSIGNMENT_ATTRIBUTES:
        value = parser.node.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}")
        if value is not None and value.strip():
            extensions[attribute] = value.strip()
    return extensions


class AssignmentAwareUserTaskParser(CamundaUserTaskParser):
    """Camunda user task parser that also keeps the assignment attributes."""

    def parse_extensions(self, node=None):  # type: ignore[no-untyped-def]
        return _assignment_extensions(self, super().parse_extensions(node))


class ExternalServiceTaskParser(CamundaTaskParser):
    """Service tasks are external tasks: ``camunda:topic`` names the system action that completes them."""

    def parse_extensions(self, node=None):  # type: ignore[no-untyped-def]
        extensions = super().parse_extensions(node)
        for attribute in ("topic", "type", "taskPriority"):
            value = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}")
            if value is not None and value.strip():
                extensions[attribute] = value.strip()
        return extensions


class AssignmentAwareTaskParser(CamundaTaskParser):
    """Same for manual tasks, which are human tasks too."""

    def parse_extensions(self, node=None):  # type: ignore[no-untyped-def]
        return _assignment_extensions(self, super().parse_extensions(node))


class _MergingMessages:
    """Event parser mixin: message events become MergingMessageEventDefinitions."""

    def parse_message_event(self, message_event):  # type: ignore[no-untyped-def]
        parsed = super().parse_message_event(message_event)  # type: ignore[misc]
        return MergingMessageEventDefinition(
            parsed.name, parsed.correlation_properties, parsed.expression, parsed.result_var
        )


class StartEventParser(_MergingMessages, CamundaStartEventParser):
    pass


class EndEventParser(_MergingMessages, CamundaEndEventParser):
    pass


class IntermediateCatchEventParser(_MergingMessages, CamundaIntermediateCatchEventParser):
    pass


class IntermediateThrowEventParser(_MergingMessages, CamundaIntermediateThrowEventParser):
    pass


class BoundaryEventParser(_MergingMessages, CamundaBoundaryEventParser):
    pass


class ReceiveTaskParser(_MergingMessages, CamundaIntermediateCatchEventParser):
    """A receive task's message merges its payload as the catch events' do (the stock one nests it)."""

    def create_task(self):  # type: ignore[no-untyped-def]
        return BpmnReceiveTaskParser.create_task(self)


class ComplaintflowParser(CamundaParser):
    """CamundaParser plus assignment attributes on user and manual tasks and merging message payloads."""

    OVERRIDE_PARSER_CLASSES = dict(CamundaParser.OVERRIDE_PARSER_CLASSES)
    OVERRIDE_PARSER_CLASSES[full_tag("serviceTask")] = (ExternalServiceTaskParser, ServiceTask)
    for _tag, _parser in (
        ("startEvent", StartEventParser),
        ("endEvent", EndEventParser),
        ("intermediateCatchEvent", IntermediateCatchEventParser),
        ("intermediateThrowEvent", IntermediateThrowEventParser),
        ("boundaryEvent", BoundaryEventParser),
    ):
        OVERRIDE_PARSER_CLASSES[full_tag(_tag)] = (_parser, CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag(_tag)][1])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feel_decisions: FeelDecisions = {}
        self.feel_models: FeelModels = {}

    def add_dmn_xml(self, node, filename=None):  # type: ignore[no-untyped-def]
        """FEEL files go to the FEEL decision engine whole (any number of decisions); Python-dialect
        files to SpiffWorkflow's DMN parser as before."""
        if dialect(node) != FEEL:
            return super().add_dmn_xml(node, filename=filename)
        text = etree.tostring(node, encoding="unicode")
        self.feel_models[node.get("namespace") or ""] = (text, filename or "")
        for decision_id in feel_decision_ids(node):
            self.feel_decisions[decision_id] = (text, filename or "")
        return None

    OVERRIDE_PARSER_CLASSES[full_tag("receiveTask")] = (ReceiveTaskParser, ReceiveTask)
    OVERRIDE_PARSER_CLASSES[full_tag("callActivity")] = (BindingCallActivityParser, BoundCallActivity)
    OVERRIDE_PARSER_CLASSES[full_tag("userTask")] = (AssignmentAwareUserTaskParser, CamundaUserTask)
    OVERRIDE_PARSER_CLASSES[full_tag("businessRuleTask")] = (DecisionTaskParser, BusinessRuleTask)
    OVERRIDE_PARSER_CLASSES[full_tag("manualTask")] = (
        AssignmentAwareTaskParser,
        CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("manualTask")][1],
    )


def plain_spiffworkflow_parses(path: Path) -> bool:
    """True when SpiffWorkflow alone (its stock parsers, none of ours) parses every executable process.

    For a DMN file: when it loads. The designer conformance measurement compares this with deployability.
    """
    try:
        if path.suffix.lower() == ".dmn":
            BpmnDmnParser().add_dmn_file(str(path))
            return True
        parser = BpmnParser()
        parser.add_bpmn_file(str(path))
        executable = parser.get_process_ids()
        for process_id in executable:
            parser.get_spec(process_id)
        return bool(executable)
    except Exception:  # noqa: BLE001 - the point is to count every way the plain library fails
        return False


def _as_deployment_error(error: ValidationException, fallback_file: str | None = None) -> DeploymentError:
    return DeploymentError(
        str(getattr(error, "message", None) or error).strip(),
        filename=getattr(error, "file_name", None) or fallback_file,
        element_id=getattr(error, "id", None) or None,
        line=getattr(error, "line_number", None) or getattr(error, "sourceline", None) or None,
    )


def build_parser(resources: list[Resource]) -> ComplaintflowParser:
    """Load every resource into one parser; parse errors become DeploymentErrors naming file and element."""
    parser = ComplaintflowParser()
    for resource in resources:
        root = parse_xml(resource)
        try:
            if resource.kind == "dmn":
                parser.add_dmn_xml(root, filename=resource.filename)
            else:
                parser.add_bpmn_xml(root, filename=resource.filename)
        except ValidationException as error:
            raise _as_deployment_error(error, resource.filename) from None
    return parser


def parse_process(resources: list[Resource], process_id: str):  # type: ignore[no-untyped-def]
    """Parse ``process_id`` and every process it calls; returns ``(spec, subprocess_specs)``."""
    parser = build_parser(resources)
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        roots = [parse_xml(r) for r in resources if r.kind == "bpmn"]
        specs = [spec, *subprocess_specs.values()]
        apply_zeebe_rules(specs, zeebe_elements(roots))
        strict_feel_conditions(specs)
        apply_shared_scopes(specs, camunda8_scopes(roots))
    except ValidationException as error:
        raise _as_deployment_error(error) from None
    except KeyError as error:
        raise DeploymentError(f"reference to an unknown element: {error}") from None
    return spec, subprocess_specs
