"""Errors the services raise; each maps to one clear message for the CLI and the web UI."""

from __future__ import annotations


class ComplaintflowError(Exception):
    """Base class of every error a user of the engine is meant to see."""


class NotFound(ComplaintflowError):
    """The named process, instance or task does not exist."""


class PermissionDenied(ComplaintflowError):
    """The actor may not do this to this task or instance."""


class Conflict(ComplaintflowError):
    """Someone else changed the same task or instance first; nothing of this attempt was written."""


class AlreadyCompleted(Conflict):
    """The task was completed before this attempt; ``completed_by`` says by whom.

    When that is the same user, the attempt is a repeat of their own completion (a double click, or a request
    the reverse proxy sent again after an app server died with it): the web UI answers it as the success it was.
    """

    def __init__(self, message: str, completed_by: str | None) -> None:
        super().__init__(message)
        self.completed_by = completed_by


class DatabaseBusy(ComplaintflowError):
    """The database stayed locked or busy for the whole retry window; nothing of this attempt was written.

    Not a Conflict: nobody changed the data, the same request succeeds when sent again (HTTP 503).
    """


class InvalidState(ComplaintflowError):
    """The action does not fit the current state (e.g. retrying an instance without an incident)."""


class DeploymentError(ComplaintflowError):
    """A BPMN/DMN upload cannot be deployed; the message names the file and element."""

    def __init__(
        self,
        message: str,
        *,
        filename: str | None = None,
        element_id: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason = message  # without the place: a engine.domain.messages.Message keeps its code here
        self.filename = filename
        self.element_id = element_id
        self.line = line
        where = ", ".join(
            part
            for part in (
                f"file {filename}" if filename else "",
                f"element {element_id}" if element_id else "",
                f"line {line}" if line else "",
            )
            if part
        )
        super().__init__(f"{message} ({where})" if where else message)


class FormValidationError(ComplaintflowError):
    """Submitted form data does not fit the task's form; ``errors`` maps field id to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        detail = "; ".join(f"{field}: {message}" for field, message in self.errors.items())
        super().__init__(f"invalid form data: {detail}")
