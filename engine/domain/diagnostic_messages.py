# ruff: noqa: E501 - one message a line, as the catalogue has them
"""The English templates of the designer diagnostics (engine.bpmn.normalize, designer_export), by message code.

``diag.<rule code>`` is a finding's message and ``hint.<rule code>`` its hint (``.2``, ``.3``: further wordings of the
same rule). Part of ``engine.domain.messages.MESSAGES``; the German is in the UI's catalogue.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "translate where it is shown"
    return text


DIAGNOSTIC_MESSAGES: dict[str, str] = {
    "diag.activiti-namespace": N_(
        "Camunda extensions written in the Activiti namespace were read as Camunda extensions"
    ),
    "diag.became-user-task": N_("the %(kind)s %(why)s; it became a human task in its lane"),
    "hint.became-user-task": N_("give it an implementation to run it automatically"),
    "diag.boundary-without-trigger": N_("a boundary event needs a trigger (timer, message, error, ...)"),
    "diag.call-mapping-ignored": N_(
        "variable mappings of call activities are ignored: all variables are passed in and out"
    ),
    "diag.called-process-not-executable": N_("calls the process '%(called)s', which is not executable"),
    "hint.called-process-not-executable": N_("mark the called process as executable (or deploy both --as-executable)"),
    "diag.compensation": N_("compensation events are not supported by the engine"),
    "hint.compensation": N_("model the undo steps explicitly (e.g. an error boundary event leading to the undo tasks)"),
    "diag.complex-gateway": N_("complex gateways are not supported by the engine"),
    "hint.complex-gateway": N_("use exclusive, inclusive or parallel gateways"),
    "diag.condition-invalid": N_("the condition '%(text_of)s' does not compile: %(problem)s"),
    "hint.condition-invalid": N_('conditions are Python or simple JUEL, e.g. amount > 200 and channel == "email"'),
    "diag.condition-untranslatable": N_("the condition '%(text)s' %(problem)s"),
    "hint.condition-untranslatable": N_(
        "write it as a simple comparison, e.g. ${amount > 200 && approved}, or in Python"
    ),
    "diag.condition-variable": N_(
        "the condition '%(text)s' reads %(names)s, which no form, script or start variable of the process sets: instances get an incident here"
    ),
    "hint.condition-variable": N_("add a form field or a script that sets it, or pass it with the start data"),
    "diag.cron-timer": N_("cron expressions such as '%(value)s' are not supported"),
    "hint.cron-timer": N_("use ISO 8601: a cycle such as R/P1D or R5/PT10M"),
    "diag.dangling-boundary": N_(
        "the boundary event is attached to '%(attachedtoref)s', which is not an activity here"
    ),
    "diag.dangling-flow": N_("the sequence flow's %(end)s '%(ref)s' is not an element of the same (sub)process"),
    "hint.dangling-flow": N_("reconnect both ends of the flow in the modeller"),
    "diag.decision-field": N_("the person completing '%(id)s' chooses the path (form field '%(variable)s')"),
    "hint.decision-field": N_("add conditions on the outgoing flows to decide automatically"),
    "diag.decision-result-variable": N_("the business rule task has no result variable"),
    "hint.decision-result-variable": N_("Camunda 8 needs one: set 'Result variable' in the Properties panel"),
    "diag.decision-unused": N_(
        "no process in the upload or among the deployed ones uses these decisions yet: they are deployed as new versions of the decisions, for processes deployed later"
    ),
    "hint.decision-unused": N_("a business rule task calls a decision with camunda:decisionRef"),
    "diag.decision-variable": N_("the path is chosen by the variable '%(variable)s', which nothing sets"),
    "hint.decision-variable": N_("set %(variable)s to one of %(names)s before the gateway"),
    "hint.dmn-call": N_("give the arguments the built-in function's parameter list asks for"),
    "diag.dmn-cell": N_("rule %(row)s, input %(column)s: '%(original)s' is not a test the decision engine understands"),
    "hint.dmn-cell": N_(
        'write a value ("high", 5), a comparison (>= 1000), a list ("a","b"), not(...) or a range [1..10]'
    ),
    "diag.dmn-columns": N_(
        "rule %(row)s has %(cells_in)s input and %(cells_out)s output cells for %(inputs)s inputs and %(outputs)s outputs"
    ),
    "hint.dmn-columns": N_("give every rule one cell per column; the modeller cannot open the table otherwise"),
    "diag.dmn-feel": N_("FEEL tests in decision cells were translated"),
    "hint.dmn-feel": N_("see the FEEL syntax of DMN 1.5, chapter 10"),
    "diag.duplicate-id": N_("the id '%(node_id)s' is used %(counts)s times"),
    "hint.duplicate-id": N_("ids must be unique in a file; rename the copies"),
    "diag.duplicate-id.2": N_("the id '%(ident)s' is used twice (also on line %(sourceline)s)"),
    "hint.duplicate-id.2": N_("give every element its own id; the modeller reports each duplicate"),
    "diag.duplicate-process": N_("the process id '%(process_id)s' is defined in several uploaded files (%(names)s)"),
    "hint.duplicate-process": N_("give each process its own id, or upload one of the files"),
    "diag.dynamic-called-element": N_("the called process must be a fixed process id"),
    "hint.dynamic-called-element": N_("write the process id literally"),
    "diag.dynamic-decision": N_("the called decision must be a fixed decision id"),
    "diag.dynamic-topic": N_("the job type must be a fixed name"),
    "diag.follow-up-date": N_("a follow-up date is not supported: tasks here have a due date only"),
    "hint.follow-up-date": N_("remove the follow-up date, or use the due date"),
    "diag.job-retries": N_(
        "the job retries '%(value)s' are not supported: only a whole number of at least 1 runs here"
    ),
    "hint.job-retries": N_("write the number of attempts, such as 3"),
    "hint.dynamic-topic": N_("write the topic name literally"),
    "diag.empty-process": N_("the process has no elements to run"),
    "diag.empty-script": N_("the script task has no script"),
    "hint.empty-script": N_("write the script in Python"),
    "diag.empty-subprocess": N_("the subprocess is empty"),
    "hint.empty-subprocess": N_("model its content or make it a task"),
    "diag.endless-loop": N_(
        "the loop %(names)s has no wait state and no way out: every instance would run it forever (it is stopped as an incident)"
    ),
    "hint.endless-loop": N_("add a flow that leaves the loop, or a wait state inside it"),
    "hint.engine-parser": N_("this construct is not supported by the engine; simplify the element"),
    "diag.event-subprocess-dropped": N_("%(problem)s; the event subprocess it starts was dropped"),
    "diag.external-message-event": N_(
        "the message %(kind)s is done by a worker (topic '%(get)s'): it runs as an external service task"
    ),
    "diag.external-script": N_("the script is an external resource, which is not part of the upload"),
    "hint.external-script": N_("paste the script (in Python) into the script task"),
    "diag.external-task": N_("waits for a worker on topic '%(topic)s' (an external task, fetched from /engine-rest)"),
    "diag.feel-syntax": N_("the condition '%(text)s' is not valid FEEL: %(problem)s"),
    "diag.feel-syntax.2": N_("the %(what)s '%(text)s' is not valid FEEL: %(problem)s"),
    "diag.feel-untranslatable": N_("the %(what)s expression '%(value)s' %(problem)s"),
    "hint.feel-untranslatable": N_("use a variable name (=assignee) or a literal"),
    "diag.flow-made-default": N_(
        "the only flow without a condition is taken when no condition holds (it became the default flow)"
    ),
    "hint.flow-made-default": N_("mark it as the default flow in the modeller"),
    "diag.foreign-engine-extension": N_("the %(localname)s extension of another engine (%(namespace)s) is ignored"),
    "hint.foreign-engine-extension": N_(
        "express it with Camunda 7 attributes (assignee, candidateGroups, formData, topic)"
    ),
    "diag.form-not-rendered": N_("the form '%(form_key)s' is not rendered; the task shows no fields"),
    "hint.form-not-rendered": N_("describe the fields with camunda:formData (Form tab in Camunda Modeler 7)"),
    "diag.form-not-rendered.2": N_("the linked form '%(key)s' is not part of the upload"),
    "hint.form-not-linked": N_(
        "deploy the .form file with the diagram (its id is the formId), or embed the form; until then the task shows"
        " no fields"
    ),
    "diag.form-unreadable": N_("the linked Camunda form is not valid JSON; the task shows no fields"),
    "diag.form-file-unreadable": N_("this is not a Camunda form (form-js JSON)"),
    "diag.form-no-id": N_("the form has no id, so no user task can link it (formId)"),
    "diag.form-file": N_(
        "user tasks link this form by formId '%(form)s'; it is deployed with the diagrams of this upload"
    ),
    "diag.form-version-tag": N_(
        "the form is bound by its version tag '%(tag)s'; the task shows the form deployed with the diagram instead"
    ),
    "hint.form-version-tag": N_("deploy the form with the diagram and bind it by deployment or latest"),
    "diag.form-external": N_("the task links an external form (%(reference)s); the task page shows no fields"),
    "hint.form-external": N_("link a Camunda Form (formId) to have the task page render it"),
    "diag.camunda-form": N_("the Camunda Form '%(form)s' is rendered on the task page"),
    "diag.form-component-not-shown": N_(
        "form '%(form)s': the %(type)s component '%(component)s' is not shown on the task page"
    ),
    "hint.form-component-not-shown": N_("show the content as a text component"),
    "diag.form-component-unsupported": N_(
        "form '%(form)s': the %(type)s component '%(component)s' is not supported; its value would be lost"
    ),
    "hint.form-component-unsupported": N_(
        "use text field, text area, number, checkbox, checklist, radio, select, tag list, date/time, group or"
        " dynamic list"
    ),
    "diag.form-component-no-key": N_("form '%(form)s': the %(type)s component '%(component)s' has no key"),
    "hint.form-component-no-key": N_("give the component a key: the variable its value is stored in"),
    "diag.form-validation-unsupported": N_("form '%(form)s': the validation type of '%(component)s' is not supported"),
    "hint.form-validation-unsupported": N_("use email, phone or a pattern"),
    "diag.form-feel": N_("form component '%(component)s': the expression %(text)s does not parse"),
    "hint.form-feel": N_("correct the FEEL expression in the form editor"),
    "diag.global-task": N_("the call of the global task '%(id)s' became a %(type)s"),
    "diag.hit-policy": N_("hit policy ANY is evaluated as first match"),
    "hint.hit-policy": N_("use UNIQUE, FIRST, ANY or COLLECT"),
    "diag.hit-policy.2": N_("the hit policy %(policy)s is not supported"),
    "hint.hit-policy.2": N_("collect without aggregation and sum/count in a script task"),
    "diag.hit-policy.3": N_("COLLECT with the aggregation %(aggregation)s is not supported"),
    "diag.implicit-split": N_("the %(count)s outgoing flows became an explicit %(gateway_tag)s"),
    "diag.inclusive-all-paths": N_("flows without conditions are all taken"),
    "hint.inclusive-all-paths": N_("add conditions to choose among the paths"),
    "diag.input-mapping-ignored": N_("the input parameter '%(name)s' is ignored; the task sees all process variables"),
    "diag.java-implementation": N_(
        "the %(kind)s is implemented by %(what)s, which cannot run here: instances get an incident at this step until a system action handles the topic '%(topic)s'"
    ),
    "hint.java-implementation": N_("register a handler for the topic '%(topic)s' or %(how_to_run)s"),
    "diag.letter-block": N_(
        "the letter %(name)s leaves the required block empty (the pack %(pack_id)s.toml requires it)"
    ),
    "diag.letter-block.2": N_(
        "the letter %(name)s renders without the required block (dropped, empty) (the pack %(pack_id)s.toml requires it)"
    ),
    "diag.letter-unused": N_("no letter of the packs beside this template uses it"),
    "diag.letter-language": N_("unknown letter language %(language)r"),
    "diag.not-utf8": N_("the file is not UTF-8 text (byte %(position)s)"),
    "hint.letter-block": N_('keep <section data-block="%(block)s"> with its text'),
    "diag.letter-pack": N_("the pack file cannot be read: %(message)s"),
    "diag.letter-template": N_("%(name)s: %(error)s"),
    "diag.link-events": N_("link events were joined into sequence flows"),
    "diag.link-paired": N_(
        "the link throw event is joined to the only link catch event '%(id)s' although their names differ"
    ),
    "hint.link-paired": N_("give both link events the same name"),
    "diag.link-without-catch": N_("no link catch event named '%(link_name)s' in the same (sub)process"),
    "hint.link-without-catch": N_("give the throw and catch link events the same name"),
    "diag.listeners-ignored": N_("the %(name)s does not run in complaintflow"),
    "hint.listeners-ignored": N_("model the work as a service task with a topic, or a script task"),
    "diag.listeners-unsupported": N_("Camunda 8 execution and task listeners do not run in complaintflow"),
    "hint.listeners-unsupported": N_("model the work as a service task with a job type"),
    "diag.loop-collection": N_("the multi-instance activity has no input collection"),
    "diag.loop-output": N_("the output element is collected nowhere: the loop has no output collection"),
    "diag.loop-without-wait": N_(
        "the loop %(names)s has no wait state (user task, message, timer): it must end by its own condition within %(max_loop_steps)s elements, or instances get an incident there"
    ),
    "hint.loop-without-wait": N_("add a wait state to the loop, or make sure its exit condition becomes true"),
    "diag.made-executable": N_(
        "the descriptive process is deployed as executable: plain tasks are human tasks in their lane"
    ),
    "diag.mapping-target": N_("an %(kind)s mapping has no target variable"),
    "diag.missing-called-element": N_("the call activity names no process to call"),
    "hint.missing-called-element": N_("set 'Called element' to the id of a deployed or uploaded process"),
    "diag.missing-condition": N_("a flow leaving the %(type)s '%(id)s' has no condition and is not the default flow"),
    "hint.missing-condition": N_("add a condition expression (e.g. ${approved}) or mark the flow as the default flow"),
    "diag.missing-implementation": N_("the %(kind)s has no %(needs)s"),
    "diag.missing-message": N_("the receive task names no message"),
    "hint.missing-message": N_("select a message"),
    "diag.missing-topic": N_("the external task has no topic"),
    "diag.missing-translation": N_(
        "'%(key)s' has no '%(language)s' translation although the process declares the language"
    ),
    "hint.missing-translation": N_(
        'add <camunda:property name="i18n:%(language)s:%(key)s" value="..."/> to the process\'s camunda:properties (processes/README.md, Diagram texts)'
    ),
    "diag.no-decision": N_("the DMN file defines no decision"),
    "diag.no-executable-process": N_("the file has no executable process"),
    "diag.no-start-event": N_("No start event in the %(type)s"),
    "diag.not-a-decision-table": N_("the decision is not a decision table (e.g. a literal expression)"),
    "hint.not-a-decision-table": N_("model it as a decision table"),
    "diag.not-bpmn": N_("the root element is not a BPMN 2.0 <definitions> element"),
    "diag.not-deployed": N_("the process is not executable; it is left out of the deployment"),
    "hint.not-deployed": N_("deploy with --as-executable to run descriptive processes"),
    "diag.not-dmn": N_("the root element is not a DMN <definitions> element"),
    "diag.output-mapping-ignored": N_("the output parameter '%(name)s' is ignored"),
    "diag.placeholder-condition": N_("the placeholder condition '%(text_of)s' was treated as no condition yet"),
    "diag.plain-task": N_("the plain task waits for a person to complete it (Camunda would skip it)"),
    "diag.qualified-references": N_("%(count)s namespace-qualified references were simplified"),
    "diag.recursive-call": N_("the process calls itself; an instance would never end"),
    "hint.recursive-call": N_("model the repetition as a loop inside the process"),
    "diag.renamed-variable": N_("the name '%(name)s' in the condition is read as the variable '%(python_name)s'"),
    "hint.renamed-variable": N_("use variable names without spaces"),
    "diag.script-invalid": N_("the script does not compile: %(problem)s"),
    "hint.script-invalid": N_("scripts are restricted Python: no imports, no names starting with _"),
    "diag.script-language": N_("the script %(problem)s"),
    "hint.script-language": N_("rewrite the script in Python"),
    "diag.script-translated": N_("the %(script_format)s script was translated to Python"),
    "diag.script-untranslatable": N_("the script expression %(problem)s"),
    "diag.several-decisions": N_(
        "the file defines %(count)s decisions; the engine evaluates one decision table per file"
    ),
    "hint.several-decisions": N_(
        "put each decision table in its own .dmn file; decisions that require other decisions must be merged into one table"
    ),
    "diag.several-start-events": N_("the process has %(count)s plain start events; instances start at '%(id)s'"),
    "hint.several-start-events": N_("keep one plain start event"),
    "diag.start-event-added": N_("no start event: one was added that starts %(names)s"),
    "hint.start-event-added": N_("draw a start event so that the start is explicit"),
    "diag.start-made-plain": N_(
        "the process starts on an event; deployed as executable, it starts when an instance is started"
    ),
    "hint.start-made-plain": N_("add a plain start event"),
    "diag.target-namespace": N_("the definitions had no targetNamespace; one was added"),
    "diag.timer-expression": N_("the timer expression '%(value)s' %(problem)s"),
    "diag.timer-from-label": N_("the timer has no time; its label '%(name)s' was read as %(from_label)s"),
    "hint.timer-from-label": N_("set the time in the timer's properties"),
    "diag.timer-invalid": N_("'%(value)s' is not a valid ISO 8601 %(lower)s"),
    "hint.timer-invalid": N_("examples: PT48H, P5D, 2026-12-01T09:00:00Z, R3/PT1H"),
    "diag.timer-invalid.2": N_("the timer expression '%(value)s' does not compile: %(problem)s"),
    "diag.timer-variable": N_("the timer reads %(names)s, which no form or script in the diagram sets"),
    "hint.timer-variable": N_("pass it with the start data, or set it before the timer"),
    "diag.truncated": N_("%(hidden)s more diagnostics not shown"),
    "diag.unassigned-task": N_(
        "the human task has no lane, assignee or candidate group: only team leads can hand it out"
    ),
    "hint.unassigned-task": N_("put it in a lane or set camunda:candidateGroups"),
    "diag.unknown-called-process": N_("calls the process '%(called)s', which is neither in the upload nor deployed"),
    "hint.unknown-called-process": N_(
        "upload the file that defines '%(called)s' together with this one, or deploy it first"
    ),
    "diag.unknown-decision": N_("uses the decision '%(decision)s', which is neither in the upload nor deployed"),
    "hint.unknown-decision": N_("upload the .dmn file that defines '%(decision)s' with the diagram"),
    "diag.unknown-topic": N_(
        "no system action handles the topic '%(topic)s' and the task is not an external task: instances get an incident here"
    ),
    "hint.unknown-topic": N_(
        "use one of %(names)s, register a handler for '%(topic)s', or mark it camunda:type=\"external\" for a worker"
    ),
    "diag.unreachable": N_("no sequence flow leads here: the element never runs"),
    "hint.unreachable": N_("connect it to the flow or delete it"),
    "diag.unreadable": N_("cannot read the letter template: %(error)s"),
    "diag.zeebe-dropped": N_("the Camunda 8 extension '%(name)s' has no effect here"),
    "diag.zeebe-unsupported": N_("the Camunda 8 extension '%(name)s' is not supported"),
    "hint.zeebe-unsupported": N_("remove it, or model what it does with supported elements"),
    # Messages whose rule code names the element kind (message, signal, timer, condition, loop, multi-instance).
    "diag.dangling-message": N_("refers to the message '%(ref)s', which the file does not define"),
    "hint.dangling-message": N_('define <message id="%(ref)s" name="..."/> or pick an existing message'),
    "diag.dangling-signal": N_("refers to the signal '%(ref)s', which the file does not define"),
    "hint.dangling-signal": N_('define <signal id="%(ref)s" name="..."/> or pick an existing signal'),
    "diag.dangling-error": N_("refers to the error '%(ref)s', which the file does not define"),
    "hint.dangling-error": N_('define <error id="%(ref)s" name="..."/> or pick an existing error'),
    "diag.dangling-escalation": N_("refers to the escalation '%(ref)s', which the file does not define"),
    "hint.dangling-escalation": N_('define <escalation id="%(ref)s" name="..."/> or pick an existing escalation'),
    "diag.message-added": N_("the event names no message; it now uses the message '%(name)s'"),
    "hint.message-added": N_("pick a message for the event in the modeller"),
    "diag.signal-added": N_("the event names no signal; it now uses the signal '%(name)s'"),
    "hint.signal-added": N_("pick a signal for the event in the modeller"),
    "diag.condition-incomplete": N_("the conditional event has no condition"),
    "hint.condition-incomplete": N_("set the condition, e.g. ${stock > 0}"),
    "diag.timer-incomplete": N_("the timer has no time"),
    "hint.timer-incomplete": N_("set a duration (e.g. PT48H), a date (2026-12-01T09:00:00Z) or a cycle (R3/PT1H)"),
    "diag.became-message": N_("%(problem)s; it now waits for the message '%(name)s'"),
    "diag.boundary-dropped": N_("%(problem)s; the boundary event was dropped: its path never starts"),
    "diag.multi-instance-dropped": N_(
        "the multi-instance marker was dropped (nothing says how many instances to run); the task runs once"
    ),
    "diag.multi-instance-incomplete": N_("the multi-instance activity has nothing that says how many instances to run"),
    "hint.multi-instance-marker": N_("set camunda:collection (a list variable) or a loop cardinality"),
    "diag.loop-dropped": N_("the loop marker was dropped (nothing says when to stop); the task runs once"),
    "diag.loop-incomplete": N_("the loop activity has nothing that says when to stop"),
    "hint.loop-marker": N_("add a loop condition or a loop maximum"),
    "diag.schema": N_("not valid BPMN 2.0: %(detail)s"),
    "hint.schema-diagram": N_("the modeller may not draw this part of the file"),
    "hint.schema": N_("re-export the file from the modeller, or remove the element the schema names"),
    "hint.how-to-run": N_(
        'make it an external task: camunda:type="external" camunda:topic="<system action>" (e.g. notify)'
    ),
    "hint.no-executable-process": N_("deploy it with --as-executable to run a descriptive diagram"),
    "hint.no-start-event": N_("draw a start event before the first step"),
    "hint.no-start-event.cycle": N_(
        "draw a start event before the first step (every element has an incoming flow, so none can be the start)"
    ),
}
