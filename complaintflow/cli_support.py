"""What every complaintflow command shares: error handling, JSON options, the acting user, the context."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from complaintflow.context import AppContext, make_context
from engine.domain.actors import Actor, make_actor
from engine.domain.errors import ComplaintflowError, FormValidationError
from engine.domain.roles import ROLE_ADMIN

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(function: F) -> F:
    """Turn expected errors into one clear line and exit code 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FormValidationError as error:
            click.echo("error: the form data is invalid:", err=True)
            for field, message in error.errors.items():
                click.echo(f"  {field or 'data'}: {message}", err=True)
            sys.exit(1)
        except ComplaintflowError as error:
            _fail(str(error))
        except Exception as error:  # noqa: BLE001 - the CLI promises one line, never a traceback
            _fail(f"{type(error).__name__}: {error}", code=3)

    return wrapper  # type: ignore[return-value]


def json_option(text: str | None, what: str) -> dict[str, Any]:
    """A JSON object given inline or as ``@file.json``; errors name the option."""
    if not text:
        return {}
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise ComplaintflowError(f"cannot read {what} file: {error.strerror}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ComplaintflowError(f"{what} is not valid JSON: {error.msg} at position {error.pos}") from None
    if not isinstance(value, dict):
        raise ComplaintflowError(f"{what} must be a JSON object")
    return value


def acting_user(ctx: click.Context) -> Actor:
    """The user given with --as-user (and --group/--role), else the ``cli`` operator with admin rights."""
    options = ctx.find_root().params
    if options.get("as_user"):
        return make_actor(options["as_user"], options.get("groups") or (), options.get("roles") or ())
    return Actor("cli", roles=frozenset({ROLE_ADMIN}))


def app_context(ctx: click.Context) -> AppContext:
    """The settings, database and sessions of this command, built once per invocation."""
    if ctx.obj is None:
        ctx.obj = make_context()
    context: AppContext = ctx.obj
    return context
