"""CPU and data limits inside the restricted code of scripts and expressions, in-process.

No process per script: conditions and mappings run thousands of times a second. Instead the restricted
compiler rewrites the code so that it counts its own work:

* every ``while`` body, every function and lambda body and every item a ``for`` loop or comprehension
  takes calls ``_tick_()``, which every 1,024 ticks compares this thread's CPU time
  (``time.thread_time``: threaded web servers run several scripts at once) with the deadline;
* ``*``, ``**``, ``<<``, ``+`` and ``%`` (and their ``*=``, ``+=``, ... forms), ``pow`` and the string
  methods that pad or repeat estimate the size of their result *before* computing it and count what they
  create against the data limit; ``math.factorial``/``comb``/``perm`` refuse huge arguments;
* a handler (``except:``) starts with a tick too, and once a limit is exceeded every tick raises again:
  a script cannot swallow the stop and carry on.

Deep recursion ends in Python's own RecursionError, reported as a limit like the others.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from RestrictedPython.Eval import default_guarded_getiter
from RestrictedPython.Guards import safer_getattr
from RestrictedPython.transformer import RestrictingNodeTransformer

from engine.bpmn.feel import budget as feel_budget
from engine.runtime import limits

_CHECK_EVERY = 1024
_BINARY = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_"}
_NUMBER = re.compile(r"\d+")
_PADDING = {"ljust", "rjust", "center", "zfill"}
_MAX_COMBINATORIAL = 50_000


class ScriptLimitExceeded(Exception):
    """A script or expression used more CPU time or created more data than the configured limits."""


class _State(threading.local):
    deadline: float = 0.0
    created: int = 0
    ticks: int = 0
    exceeded: str | None = None
    active: bool = False


_STATE = _State()


class _Limited:
    """Context manager of :func:`limited` (a class: it runs for every expression, a generator costs more)."""

    __slots__ = ("outer",)

    def __enter__(self) -> None:
        state = _STATE
        self.outer = state.active
        if self.outer:
            return
        # The CPU clock starts at the first tick: straight-line code (most conditions) never reads it.
        state.active, state.ticks, state.created, state.exceeded, state.deadline = True, 0, 0, None, 0.0

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if self.outer:
            return
        # The failure was raised to whoever ran the script; the thread (a web server's worker) goes on to
        # other work, whose FEEL ticks outside a limited block must not meet the old failure again.
        _STATE.active, _STATE.exceeded = False, None
        if isinstance(error, RecursionError):
            raise ScriptLimitExceeded("the script recursed too deeply (endless recursion?)") from None
        if isinstance(error, MemoryError):
            raise ScriptLimitExceeded("the script ran out of memory") from None


def limited() -> _Limited:
    """Run one script or expression under the current limits (nested calls share the outer budget)."""
    return _Limited()


def _fail(message: str) -> None:
    _STATE.exceeded = message
    raise ScriptLimitExceeded(message)


def tick() -> None:
    """Count a step of the script; raise once its CPU time is used up (and on every tick after that)."""
    state = _STATE
    if state.exceeded is not None:
        raise ScriptLimitExceeded(state.exceeded)
    state.ticks += 1
    if state.ticks == 1 and state.active:
        state.deadline = time.thread_time() + limits.current().script_cpu_seconds
    elif state.ticks % _CHECK_EVERY == 0 and state.active and time.thread_time() > state.deadline:
        seconds = limits.current().script_cpu_seconds
        _fail(f"the script used more than {seconds:g} s of CPU time and was stopped (an endless loop?)")


def _create(size: int) -> None:
    """Count ``size`` bytes about to be created; raise before they are when the data limit would be passed."""
    state = _STATE
    if state.exceeded is not None:
        raise ScriptLimitExceeded(state.exceeded)
    limit = limits.current().script_memory_bytes
    if state.created + size > limit:
        _fail(f"the script would create more than {limit // (1024 * 1024)} MB of data and was stopped")
    state.created += size


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if isinstance(value, list | tuple):
        return 8 * len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 8
    return 0


def _repeat_size(sequence: Any, times: Any) -> int | None:
    if isinstance(times, int) and _size(sequence) and not isinstance(sequence, int):
        return _size(sequence) * max(times, 0)
    return None


# Numbers small enough that their product or sum is small too: the common case, checked first.
_SMALL = {float, bool}


def _mul(left: Any, right: Any) -> Any:
    if left.__class__ in _SMALL or right.__class__ in _SMALL:
        return left * right  # a float times anything is a float, or a sequence repeated by a bool
    if left.__class__ is int and right.__class__ is int and left.bit_length() + right.bit_length() < 1 << 20:
        return left * right  # at most 128 KB
    size = _repeat_size(left, right) or _repeat_size(right, left)
    if size is None and isinstance(left, int) and isinstance(right, int):
        size = _size(left) + _size(right)
    if size:
        _create(size)
    return left * right


def _pow(left: Any, right: Any, modulo: Any = None) -> Any:
    if modulo is None and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        _create(right * abs(left).bit_length() // 8)
    return pow(left, right) if modulo is None else pow(left, right, modulo)


def _lshift(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and left:
        _create((left.bit_length() + right) // 8)
    return left << right


def _add(left: Any, right: Any) -> Any:
    if left.__class__ in _SMALL or left.__class__ is int:
        return left + right
    if isinstance(left, str | bytes | list | tuple) and type(left) is type(right):
        _create(_size(left) + _size(right))
    return left + right


def _check_format(text: str) -> None:
    widest = max((int(number) for number in _NUMBER.findall(text) if len(number) < 12), default=0)
    if any(len(number) >= 12 for number in _NUMBER.findall(text)) or widest > 1_000_000:
        _fail("the script formats a value wider than 1,000,000 characters and was stopped")


def _mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left)
        _create(len(left))
    return left % right


def _string_method(value: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name in _PADDING and args and isinstance(args[0], int):
            _create(args[0])
        elif name == "expandtabs":
            tabsize = args[0] if args else kwargs.get("tabsize", 8)
            tabs = value.count("\t") if isinstance(value, str) else value.count(b"\t")
            _create(len(value) + tabs * max(int(tabsize), 0))
        elif name == "replace" and len(args) >= 2:
            _create(len(value) + (value.count(args[0]) + 1) * max(len(args[1]) - len(args[0]), 0))
        elif name == "join" and args:
            items = list(args[0])
            _create(sum(_size(item) for item in items) + len(value) * max(len(items) - 1, 0))
            return method(items)
        elif name in {"format", "format_map"}:
            _check_format(str(value))
        return method(*args, **kwargs)

    return guarded


_WRAPPED_STRING_METHODS = _PADDING | {"expandtabs", "replace", "join", "format", "format_map"}


def guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    """RestrictedPython's safer_getattr, with size checks on the string methods that can blow up."""
    value = safer_getattr(obj, name, default)
    if isinstance(obj, str | bytes) and name in _WRAPPED_STRING_METHODS:
        return _string_method(obj, name, value)
    return value


def guarded_getiter(iterable: Any) -> Iterator[Any]:
    """Iterate like RestrictedPython's guard, with a tick per item."""
    for item in default_guarded_getiter(iterable):
        tick()
        yield item


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "&=": operator.iand,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}


def inplace(op: str, target: Any, value: Any) -> Any:
    """``_inplacevar_``: ``n += 1`` arrives as ``_inplacevar_('+=', n, 1)``; sizes are checked first."""
    if op == "+=" and isinstance(target, str | bytes | list | tuple) and isinstance(value, str | bytes | list | tuple):
        _create(_size(target) + _size(value))
    elif op == "*=" and (size := _repeat_size(target, value)):
        _create(size)
    elif op == "**=" and isinstance(target, int) and isinstance(value, int) and value > 0 and abs(target) > 1:
        _create(value * abs(target).bit_length() // 8)
    elif op == "<<=" and isinstance(target, int) and isinstance(value, int) and value > 0 and target:
        _create((target.bit_length() + value) // 8)
    elif op == "%=" and isinstance(target, str):
        _check_format(target)
    # The in-place operator keeps Python's semantics: ``items += [x]`` extends the same list.
    return _INPLACE_OPERATORS[op](target, value)


def _bounded(function: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any) -> Any:
        if any(isinstance(arg, int) and abs(arg) > _MAX_COMBINATORIAL for arg in args):
            _fail(f"math.{function.__name__} was called with a number above {_MAX_COMBINATORIAL:,}")
        return function(*args)

    return guarded


def limited_math() -> SimpleNamespace:
    """The ``math`` module as scripts see it: factorial, comb and perm refuse arguments that take minutes."""
    names = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
    names.update({name: _bounded(getattr(math, name)) for name in ("factorial", "comb", "perm")})
    return SimpleNamespace(**names)


_GUARDS: dict[str, Callable[..., Any]] = {
    "_mul_": _mul,
    "_pow_": _pow,
    "_lshift_": _lshift,
    "_add_": _add,
    "_mod_": _mod,
}


def guard_globals() -> dict[str, Any]:
    """The names the rewritten code calls (RestrictedPython forbids scripts to use or rebind ``_`` names)."""
    return {
        **_GUARDS,
        "_tick_": tick,
        "_getattr_": guarded_getattr,
        "_getiter_": guarded_getiter,
        "_inplacevar_": inplace,
    }


def _located(new: ast.AST, old: ast.AST, *keep: ast.AST) -> Any:
    """Give the nodes built here (not the designer's own, in ``keep``) the location of ``old``."""
    pending = [new]
    while pending:
        node = pending.pop()
        if any(node is kept for kept in keep):
            continue
        ast.copy_location(node, old)
        pending.extend(ast.iter_child_nodes(node))
    return new


def _tick_call(node: ast.AST) -> ast.Call:
    return _located(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]), node)


def _tick_statement(node: ast.AST) -> ast.stmt:
    return _located(ast.Expr(_tick_call(node)), node)


class LimitingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the ticks and size guards described in the module docstring."""

    def visit_While(self, node: ast.While) -> Any:
        node = self.node_contents_visit(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        visited: ast.FunctionDef = super().visit_FunctionDef(node)  # type: ignore[assignment]
        visited.body.insert(0, _tick_statement(visited))
        return visited

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        visited: ast.Lambda = super().visit_Lambda(node)  # type: ignore[assignment]
        body = visited.body
        visited.body = _located(ast.BoolOp(op=ast.Or(), values=[_tick_call(body), body]), body, body)
        return visited

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        visited: ast.ExceptHandler = super().visit_ExceptHandler(node)  # type: ignore[assignment]
        visited.body.insert(0, _tick_statement(visited))
        return visited

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _BINARY.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        return _located(call, node, node.left, node.right)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        # An f-string's width is part of the code: a constant one is checked here, a computed one refused.
        for value in node.values:
            spec = getattr(value, "format_spec", None)
            if spec is None:
                continue
            if any(not isinstance(part, ast.Constant) for part in spec.values):
                self.error(node, "f-strings with a computed format width are not allowed")
            text = "".join(str(part.value) for part in spec.values if isinstance(part, ast.Constant))
            if any(len(number) > 6 for number in _NUMBER.findall(text)):
                self.error(node, "f-string format widths above 999,999 are not allowed")
        return self.node_contents_visit(node)


# FEEL (engine/bpmn, which may not import the runtime) counts its work with the same counters.
feel_budget.install(tick, _create, limited)
