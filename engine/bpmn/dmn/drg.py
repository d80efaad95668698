"""Evaluating a decision requirements graph: decisions, input data, business knowledge models and
decision services, across imported models.

Each decision sees only what it requires (its information and knowledge requirements), by name, or
under the import's name when the requirement lives in an imported model. Values are memoised per
evaluation; compiled expressions are kept for the life of the ``Definitions`` object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.bpmn.dmn.boxed import BoxedCompiler, DmnError, expression_of
from engine.bpmn.dmn.model import Element, Model, child, children
from engine.bpmn.dmn.typing import Types
from engine.bpmn.feel import Function, Scope, to_feel
from engine.bpmn.feel.types import NAMED_TYPES
from engine.bpmn.feel.values import feel_inputs

_MISSING = object()


class Definitions:
    """One DMN model and the models it imports, ready to evaluate."""

    def __init__(self, main: Model, imported: list[Model] | None = None) -> None:
        self.main = main
        self.models: dict[str, Model] = {main.namespace: main}
        for model in imported or []:
            self.models.setdefault(model.namespace, model)
        for model in self.models.values():
            for other in self.models.values():
                if other is not model:
                    model.names.add_all(other.by_name)
        self.types = Types(self.models)
        self._compilers = {namespace: BoxedCompiler(model, self.types) for namespace, model in self.models.items()}
        self._compiled: dict[str, Callable[[Scope], Any]] = {}
        self._functions: dict[str, Function] = {}
        self.errors: list[DmnError] = []

    # -- lookup ---------------------------------------------------------------------------------
    def element(self, ref: str) -> Element | None:
        """The element a ``namespace#id`` reference names."""
        namespace, _, ident = ref.rpartition("#")
        model = self.models.get(namespace)
        return model.elements.get(ident) if model is not None else None

    def find(self, name: str, namespace: str | None = None) -> Element | None:
        """A DRG element by name (or id) in the main model or the model with that namespace."""
        model = self.models.get(namespace or self.main.namespace, self.main)
        found = model.by_name.get(name) or model.elements.get(name)
        return found

    @staticmethod
    def key(element: Element) -> str:
        return f"{element.model.namespace}#{element.id}"

    # -- compilation ----------------------------------------------------------------------------
    def compiled(self, element: Element) -> Callable[[Scope], Any]:
        """The element's expression, compiled once; a model error makes it evaluate to null."""
        key = self.key(element)
        found = self._compiled.get(key)
        if found is None:
            compiler = self._compilers[element.model.namespace]
            try:
                node = element.node
                if element.kind == "businessKnowledgeModel":
                    logic = child(node, "encapsulatedLogic")
                    params = (
                        [(p.get("name") or "", p.get("typeRef")) for p in children(logic, "formalParameter")]
                        if logic is not None
                        else []
                    )
                    body = compiler.compile(expression_of(logic)) if logic is not None else (lambda scope: None)
                    found = compiler.function(params, body)
                else:
                    found = compiler.compile(expression_of(node))
            except DmnError as error:
                error.element = error.element or element.name
                self.errors.append(error)
                found = _null
            self._compiled[key] = found
        return found

    def check(self) -> list[DmnError]:
        """Compile every element of every model; the problems found, with their lines."""
        for model in self.models.values():
            for element in model.elements.values():
                if element.kind in ("decision", "businessKnowledgeModel"):
                    self.compiled(element)
        return list(self.errors)

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate(
        self, decision: str, inputs: Mapping[str, Any], namespace: str | None = None, *, variables: bool = False
    ) -> Any:
        """The value of one decision, given input data values by name.

        ``variables`` also lets every decision read the inputs directly, as Camunda does with process
        variables for a table without input data elements.
        """
        element = self.find(decision, namespace)
        if element is None:
            raise KeyError(decision)
        run = Run(self, inputs, variables=variables)
        if element.kind == "decisionService":
            return run.service(element)
        if element.kind == "businessKnowledgeModel":
            return run.knowledge(element)
        return run.value(element)

    def evaluate_all(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Every decision of the main model."""
        run = Run(self, inputs)
        return {el.name: run.value(el) for el in self.main.elements.values() if el.kind == "decision"}


def _null(scope: Scope) -> Any:
    return None


class Run:
    """One evaluation: the input values and the decisions computed so far."""

    def __init__(
        self,
        definitions: Definitions,
        inputs: Mapping[str, Any],
        overrides: dict[str, Any] | None = None,
        *,
        variables: bool = False,
    ) -> None:
        self.defs = definitions
        self.inputs = feel_inputs(inputs)
        self.outer = Scope(self.inputs) if variables else None
        self.memo: dict[str, Any] = dict(overrides or {})

    def _input(self, element: Element) -> Any:
        namespace = element.model.namespace
        for key in (f"{namespace}#{element.name}", element.name):
            if key in self.inputs:
                return self.defs.types.coerce(self.inputs[key], element.type_ref, element.model)
        return None

    def value(self, element: Element) -> Any:
        key = self.defs.key(element)
        found = self.memo.get(key, _MISSING)
        if found is not _MISSING:
            return found
        if element.kind == "inputData":
            result = self._input(element)
        elif element.kind == "businessKnowledgeModel":
            result = self.knowledge(element)
        elif element.kind == "decisionService":
            result = self.service_function(element)
        else:
            self.memo[key] = None
            scope = Scope(self.bindings(element), self.outer)
            types, model = self.defs.types, element.model
            token = NAMED_TYPES.set(lambda value, name: types.is_instance(value, name, model))
            try:
                result = self.defs.compiled(element)(scope)
            finally:
                NAMED_TYPES.reset(token)
            result = types.coerce(result, element.type_ref, model)
        self.memo[key] = result
        return result

    def bindings(self, element: Element) -> dict[str, Any]:
        """The names a decision or knowledge model sees: what it requires."""
        variables: dict[str, Any] = {}
        for ref in element.required_decisions + element.required_inputs + element.required_knowledge:
            required = self.defs.element(ref)
            if required is None:
                continue
            self.bind(variables, element.model, required, self.value(required))
        return variables

    @staticmethod
    def bind(variables: dict[str, Any], model: Model, element: Element, value: Any) -> None:
        if element.model is model:
            variables[element.name] = value
            return
        for imported in model.imports:
            if imported.namespace == element.model.namespace:
                namespace_vars = variables.setdefault(imported.name, {})
                if type(namespace_vars) is dict:
                    namespace_vars[element.name] = value
                return
        variables[element.name] = value

    def knowledge(self, element: Element) -> Function:
        """A business knowledge model as a function (it may call itself)."""
        key = self.defs.key(element)
        cached = self.defs._functions.get(key)
        if cached is not None:
            return cached
        variables: dict[str, Any] = {}
        function = self.defs.compiled(element)(Scope(variables))
        function.name = element.name
        self.defs._functions[key] = function
        for ref in element.required_knowledge:
            required = self.defs.element(ref)
            if required is not None:
                self.bind(variables, element.model, required, self.value(required))
        if element.name not in variables:
            variables[element.name] = function
        return function

    def service_function(self, element: Element) -> Function:
        """A decision service as a function of its input decisions and input data."""
        params = self.service_params(element)
        names = [required.name for required in params]

        def call(*args: Any) -> Any:
            inputs = {required.name: arg for required, arg in zip(params, args, strict=False)}
            return self.defs_run_service(element, inputs)

        return Function(names, call, name=element.name)

    def service_params(self, element: Element) -> list[Element]:
        refs = element.service_refs.get("inputData", []) + element.service_refs.get("inputDecision", [])
        return [found for found in (self.defs.element(ref) for ref in refs) if found is not None]

    def defs_run_service(self, element: Element, inputs: Mapping[str, Any]) -> Any:
        run = Run(self.defs, {})
        for required in self.service_params(element):
            value = to_feel(inputs.get(required.name))
            fits, value = self.defs.types.check(value, required.type_ref, required.model)
            if not fits:
                return None  # an argument of the wrong type makes the invocation an error
            if required.kind == "decision":
                run.memo[self.defs.key(required)] = value
            else:
                run.inputs[required.name] = value
        return run.service_outputs(element)

    def service(self, element: Element) -> Any:
        """Invoke a decision service directly with this run's inputs."""
        params = {required.name: self.inputs.get(required.name) for required in self.service_params(element)}
        return self.defs_run_service(element, params)

    def service_outputs(self, element: Element) -> Any:
        outputs = [
            found
            for found in (self.defs.element(ref) for ref in element.service_refs.get("outputDecision", []))
            if found
        ]
        values = {output.name: self.value(output) for output in outputs}
        result = next(iter(values.values())) if len(values) == 1 else values
        return self.defs.types.coerce(result, element.type_ref, element.model)
