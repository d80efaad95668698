"""Business rule tasks on the FEEL decision engine (engine.bpmn.dmn).

``camunda:decisionRef`` names a decision of a FEEL DMN file of the deployment; the task evaluates
it with the process variables in scope and stores the result as ``camunda:resultVariable`` and
``camunda:mapDecisionResult`` say (without a result variable, each output becomes a variable, as
complaintflow's tables always did). Files in the older Python dialect keep SpiffWorkflow's own
decision engine (see engine.bpmn.dmn.dialect).
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.helpers.spec import TaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, BusinessRuleTaskParser
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask

from engine.bpmn.dmn.results import DecisionResultError, apply_result, cached_definitions, evaluate_decision
from engine.runtime.script_limits import ScriptLimitExceeded

# Decision ids of FEEL files, gathered by the parser: id -> (DMN text, file name).
FeelDecisions = dict[str, tuple[str, str]]
# The FEEL files by their namespace (what a DMN <import> names): namespace -> (DMN text, file name).
FeelModels = dict[str, tuple[str, str]]
_IMPORT = "{*}import"


def imported_models(xml: str, models: FeelModels) -> list[tuple[str, str]]:
    """The files a DMN document imports, transitively, from those of the deployment."""
    found: list[tuple[str, str]] = []
    pending = [xml]
    seen: set[str] = set()
    while pending:
        root = etree.fromstring(pending.pop().encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
        for node in root.iterfind(_IMPORT):
            namespace = node.get("namespace") or ""
            if namespace in seen or namespace not in models:
                continue
            seen.add(namespace)
            found.append(models[namespace])
            pending.append(models[namespace][0])
    return found


class DecisionTask(BpmnSpecMixin):
    """A business rule task whose decision runs on the FEEL engine."""

    def __init__(
        self,
        wf_spec: Any,
        name: str,
        decision_ref: str,
        dmn_xml: str,
        dmn_file: str = "",
        result_variable: str | None = None,
        map_decision_result: str = "resultList",
        dmn_imports: list[tuple[str, str]] | None = None,
        binding: str = "latest",
        binding_value: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, name, **kwargs)
        self.decision_ref = decision_ref
        self.dmn_xml = dmn_xml
        self.dmn_file = dmn_file
        self.result_variable = result_variable
        self.map_decision_result = map_decision_result
        # (text, file) of the imported DMN models; JSON round trips give lists.
        self.dmn_imports: list[tuple[str, str]] = [(str(item[0]), str(item[1])) for item in dmn_imports or []]
        # camunda:decisionRefBinding: latest and versionTag are looked up each time the task runs (as in
        # Camunda); deployment and version were resolved at deploy, into dmn_xml.
        self.binding = binding
        self.binding_value = binding_value

    def _decision_file(self, my_task: Any) -> tuple[str, str, list[tuple[str, str]]]:
        """The DMN file to evaluate: the deployed version the binding names now, else the deployment's copy."""
        calls = getattr(my_task.workflow.top_workflow, "calls", None)
        if calls is not None and self.binding in ("latest", "versionTag"):
            found = calls.decision(self.decision_ref, self.binding, self.binding_value)
            if found is not None:
                return found
        return self.dmn_xml, self.dmn_file, self.dmn_imports

    def _run_hook(self, my_task: Any) -> bool:
        definitions = cached_definitions(*self._decision_file(my_task))
        try:
            result = evaluate_decision(definitions, self.decision_ref, dict(my_task.data))
            apply_result(result, my_task.data, self.result_variable, self.map_decision_result)
        except (DecisionResultError, KeyError, ScriptLimitExceeded) as error:
            problem = WorkflowTaskException(f"decision {self.decision_ref!r}: {error}", task=my_task)
            problem.add_note(f"Business Rule Task '{self.bpmn_name}'.")
            raise problem from None
        super()._run_hook(my_task)
        return True


class DecisionTaskConverter(TaskSpecConverter):
    """Round-trips the decision attributes (specs are stored as XML; this keeps the registry complete)."""

    def to_dict(self, spec: DecisionTask) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        for key in (
            "decision_ref", "dmn_xml", "dmn_file", "result_variable", "map_decision_result", "dmn_imports",
            "binding", "binding_value",
        ):  # fmt: skip
            dct[key] = getattr(spec, key)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> DecisionTask:
        spec: DecisionTask = self.task_spec_from_dict(dct)
        return spec


class DecisionTaskParser(BusinessRuleTaskParser):
    """FEEL decisions become DecisionTasks; Python-dialect tables stay SpiffWorkflow BusinessRuleTasks."""

    def create_task(self) -> Any:
        decision_ref = self.get_decision_ref(self.node)
        feel: FeelDecisions = getattr(self.process_parser.parser, "feel_decisions", {})
        if decision_ref not in feel:
            return super().create_task()
        xml, filename = feel[decision_ref]
        models: FeelModels = getattr(self.process_parser.parser, "feel_models", {})
        result_variable = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}resultVariable") or None
        mapping = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}mapDecisionResult") or "resultList"
        binding = (self.node.get(f"{{{CAMUNDA_MODEL_NS}}}decisionRefBinding") or "latest").strip()
        tag = (self.node.get(f"{{{CAMUNDA_MODEL_NS}}}decisionRefVersionTag") or "").strip()
        return DecisionTask(
            self.spec,
            self.bpmn_id,
            decision_ref=decision_ref,
            dmn_xml=xml,
            dmn_file=filename,
            result_variable=result_variable,
            map_decision_result=mapping,
            dmn_imports=imported_models(xml, models),
            binding=binding,
            binding_value=tag if binding == "versionTag" else "",
            **self.bpmn_attributes,
        )


def feel_decision_ids(root: etree._Element) -> list[str]:
    """Ids (and names) of the decisions and decision services a DMN file offers to business rule tasks."""
    found: list[str] = []
    for node in root:
        if isinstance(node.tag, str) and etree.QName(node).localname in ("decision", "decisionService"):
            for key in (node.get("id"), node.get("name")):
                if key and key not in found:
                    found.append(key)
    return found


__all__ = [
    "BusinessRuleTask",
    "DecisionTask",
    "DecisionTaskConverter",
    "DecisionTaskParser",
    "FeelModels",
    "feel_decision_ids",
    "imported_models",
]
