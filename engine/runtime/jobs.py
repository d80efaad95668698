"""A Camunda 8 job's retries, as its ``zeebe:taskDefinition`` gives them when the job is created."""

from __future__ import annotations

from typing import Any

from engine.bpmn.bpmn_xml import JOB_RETRIES_PROPERTY


def job_retries(properties: dict[str, Any]) -> int | None:
    """Take the retries out of a service task's properties; None for a task that is no Camunda 8 job.

    The designer check lets only whole numbers of at least 1 through (engine.bpmn.normalize.vendor).
    """
    value = properties.pop(JOB_RETRIES_PROPERTY, None)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
