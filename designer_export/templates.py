"""Camunda Modeler element templates for complaintflow's system actions (service-task topics).

Dropped into Camunda Modeler's ``resources/element-templates`` folder, the JSON lets a designer pick
"Notify", "Escalate", "Start SLA clock", ... from a menu: the template sets the external-task topic
and offers the action's properties as form fields. The catalogue below describes each handler in
``engine.services``; handlers it does not describe get a plain template (a test keeps both in step).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"
TEMPLATE_VERSION = 1


@dataclass(frozen=True)
class Field:
    """One property of a system action (a ``camunda:property`` of the service task)."""

    name: str
    label: str
    description: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    topic: str
    label: str
    description: str
    fields: tuple[Field, ...] = ()


_CHANNEL = Field("channel", "Channel", "email (default) or in_app", choices=("email", "in_app"))
_TEMPLATE = Field("template", "Message template", "Name of the text template; default: the element id")
_SUBJECT = Field("subject", "Subject", "Subject line; ${variable} reads a process variable")

ACTIONS = (
    Action(
        "notify",
        "Notify",
        "Queue a message to a customer, a user or a group (outbox, sent after the step commits).",
        (
            Field("to", "Recipient", "Address, user name, group:<name> or ${variable}", required=True),
            _TEMPLATE,
            _CHANNEL,
            _SUBJECT,
        ),
    ),
    Action(
        "remind",
        "Remind task holders",
        "Remind whoever holds the open tasks of the instance (behind a non-interrupting timer).",
        (Field("element", "Only this task", "Element id of the task to remind about"), _TEMPLATE, _CHANNEL, _SUBJECT),
    ),
    Action(
        "escalate",
        "Escalate",
        "Raise the priority and hand the open tasks to a group or person, and tell them.",
        (
            Field("group", "Hand over to group", "Candidate group that takes over"),
            Field("assignee", "Hand over to user"),
            Field("priority", "Raise priority to", choices=("low", "normal", "high", "critical")),
            _TEMPLATE,
            _CHANNEL,
            _SUBJECT,
        ),
    ),
    Action(
        "sla_start",
        "Start SLA clock",
        "Start (or re-target) the complaint's SLA clock.",
        (
            Field("resolution_target", "Resolution target", "e.g. '5 business days' (default: variable)"),
            Field("first_response_target", "First response target", "e.g. '1 business day'"),
            Field("sla_calendar", "Business calendar", "Name of a configured calendar"),
            Field("reminder_share", "Amber at share", "0.75 turns the traffic light amber at 75 %"),
        ),
    ),
    Action("first_response", "Record first response", "Record the first answer to the customer and if it was in time."),
    Action("sla_pause", "Pause SLA clock", "Stop the clock while waiting for the customer."),
    Action(
        "sla_resume",
        "Resume SLA clock",
        "Run the clock again; due times move by the paused business time.",
        (Field("reminder_share", "Amber at share", "0.75 turns the traffic light amber at 75 %"),),
    ),
    Action("sla_stop", "Stop SLA clock", "Record the resolution time and whether the target was met."),
)


def _property(field: Field) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "label": field.label,
        "type": "Dropdown" if field.choices else "String",
        "binding": {"type": "camunda:property", "name": field.name},
    }
    if field.description:
        entry["description"] = field.description
    if field.choices:
        entry["choices"] = [{"name": choice, "value": choice} for choice in field.choices]
    if field.required:
        entry["constraints"] = {"notEmpty": True}
    return entry


def element_template(action: Action) -> dict[str, Any]:
    """One Camunda 7 element template: an external service task with the action's topic."""
    return {
        "$schema": SCHEMA,
        "name": f"complaintflow: {action.label}",
        "id": f"org.complaintflow.{action.topic}",
        "version": TEMPLATE_VERSION,
        "description": action.description,
        "appliesTo": ["bpmn:ServiceTask"],
        "properties": [
            {"type": "Hidden", "value": "external", "binding": {"type": "property", "name": "camunda:type"}},
            {"type": "Hidden", "value": action.topic, "binding": {"type": "property", "name": "camunda:topic"}},
            *(_property(field) for field in action.fields),
        ],
    }


def element_templates(handlers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Templates for the catalogue's actions, plus a plain one for each other handler in ``handlers``.

    ``handlers`` maps each registered topic to a one-line description; a topic the catalogue does not
    describe yet still gets a template (without property fields), so the menu is never short of one.
    """
    templates = [element_template(action) for action in ACTIONS if handlers is None or action.topic in handlers]
    described = {action.topic for action in ACTIONS}
    for topic, description in sorted((handlers or {}).items()):
        if topic not in described:
            label = topic.replace("_", " ").capitalize()
            templates.append(element_template(Action(topic, label, description or f"System action {topic!r}.")))
    return templates


def element_templates_json(handlers: dict[str, str] | None = None) -> str:
    """The file Camunda Modeler reads (a JSON array of templates)."""
    return json.dumps(element_templates(handlers), indent=2, ensure_ascii=False) + "\n"
