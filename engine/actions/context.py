"""What a system action sees: the unit of work's session, the instance, the actor, the time, the call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.runtime.model import ServiceCall
from engine.store.models import ProcessInstance


@dataclass(frozen=True)
class ServiceContext:
    """What a handler may use: the unit of work's session, the instance, who acts and when."""

    session: Session
    instance: ProcessInstance
    actor: Actor
    now: datetime
    call: ServiceCall
    # Variables for every active branch of the instance, not only this token (WorkflowRun.share_variables).
    shared: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str, default: Any = None) -> Any:
        """A property of the service task; ``${var}`` reads the process variable ``var``."""
        raw = self.call.properties.get(name, default)
        if isinstance(raw, str) and raw.startswith("${") and raw.endswith("}"):
            return self.call.data.get(raw[2:-1].strip(), default)
        return raw


# A handler returns the variables that complete the service task (None for none).
Handler = Callable[[ServiceContext], dict[str, Any] | None]
