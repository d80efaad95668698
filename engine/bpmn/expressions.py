"""Translating the expression languages modellers write into the engine's Python expressions.

Camunda 7 writes JUEL (``${amount > 200 && !vip}``), Camunda 8 writes FEEL (``= not(approved)``),
tools following the BPMN default write XPath (``bpmn:getDataObject('approved')``), and Trisotech writes
FEEL with spaces in names (``Vacation Approval = "Approved"``). The simple forms that make up nearly all
gateway conditions translate one to one; anything else (bean calls, Groovy, FEEL ranges) is reported as
untranslatable, so the designer gets a diagnostic instead of an incident weeks later.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from engine.domain.messages import msg

_TOKEN = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      |(?P<number>\d+(?:\.\d+)?)
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?)
      |(?P<op>&&|\|\||==|!=|<=|>=|<>|\.\.|[-+*/%<>=!(),.\[\]?:])
      |(?P<space>\s+)
      |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_JUEL_WORDS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_CONSTANTS = {"true": "True", "false": "False", "null": "None"}
_SPIN_VALUE_CALLS = {"numberValue", "stringValue", "boolValue", "value", "intValue", "longValue", "doubleValue"}
_FEEL_KEYWORDS = {
    "and",
    "or",
    "not",
    "in",
    "some",
    "every",
    "satisfies",
    "between",
    "instance",
    "of",
    "if",
    "then",
    "else",
    "for",
    "return",
    "true",
    "false",
    "null",
    "function",
}
_ALLOWED_CALLS = {"len", "min", "max", "sum", "abs", "round", "str", "int", "float", "bool", "any", "all", "now"}
_QUANTIFIED = re.compile(r"^(some|every)\s+([A-Za-z_]\w*)\s+in\s+(.+?)\s+satisfies\s+(.+)$", re.DOTALL)

JUEL = "juel"
FEEL = "feel"
XPATH = "xpath"
PYTHON = "python"


@dataclass(frozen=True)
class Translation:
    """The Python for an expression, or why there is none; ``renamed`` lists names given a Python spelling."""

    python: str | None
    dialect: str
    problem: str = ""
    renamed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.python is not None and self.dialect != PYTHON


def dialect_of_language(language: str | None) -> str | None:
    """Map an ``expressionLanguage``/``language`` URI to a dialect; None when it says nothing useful."""
    text = (language or "").lower()
    if "feel" in text:
        return FEEL
    if "xpath" in text:
        return XPATH
    if "juel" in text or "camunda" in text:
        return JUEL
    if "python" in text:
        return PYTHON
    if "groovy" in text or "javascript" in text or "ecmascript" in text:
        return "script:" + text
    return None


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text) if m.lastgroup != "space"]


_KEYWORDS = {"and", "or", "not", "in", "if", "else", "for", "is", "lambda"}


def _join(tokens: list[str]) -> str:
    """Tokens back to text with Python-style spacing (spacing never changes what Python parses)."""
    out: list[str] = []
    for token in tokens:
        previous = out[-1].strip() if out else ""
        tight = previous in ("(", "[", ".") or token in (")", "]", ",", ".")
        if (
            token[0] in "(["
            and previous
            and previous not in _KEYWORDS
            and (previous[-1].isalnum() or previous[-1] in "_)]")
        ):
            tight = True
        out.append(token if not out or tight else " " + token)
    return "".join(out).strip()


def _juel_inner(text: str) -> tuple[str | None, str]:
    tokens = _tokens(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "other":
            return None, msg("expr.unexpected_character", character=value)
        if kind == "name" and value == "execution" and nxt == ".":
            # execution.getVariable("x") reads the process variable x.
            window = [t[1] for t in tokens[i : i + 6]]
            if window[2:4] == ["getVariable", "("] and len(window) == 6 and window[5] == ")":
                out.append(window[4][1:-1])
                i += 6
                continue
            return None, msg("expr.execution_object")
        if value == "." and tokens[i + 1 : i + 2] and tokens[i + 1][0] == "name":
            member = tokens[i + 1][1]
            after = tokens[i + 2][1] if i + 2 < len(tokens) else ""
            if member == "prop" and after == "(" and i + 4 < len(tokens) and tokens[i + 4][1] == ")":
                out.append(f"[{tokens[i + 3][1]}]")  # Spin JSON: customer.prop("age") is customer["age"]
                i += 5
                continue
            if member in _SPIN_VALUE_CALLS and after == "(" and i + 3 < len(tokens) and tokens[i + 3][1] == ")":
                i += 4
                continue
            if after == "(":
                return None, msg("expr.java_method", method=member)
            out.append(f"[{member!r}]")  # a map property: order.amount is order["amount"]
            i += 2
            continue
        if kind == "op":
            value = {"&&": "and", "||": "or", "!": "not"}.get(value, value)
            if value == "?":
                return None, msg("expr.ternary")
        elif kind == "name":
            if value == "empty":
                value = "not"
            value = _JUEL_WORDS.get(value, _CONSTANTS.get(value, value))
            if ":" in value:
                return None, msg("expr.function", function=value)
        out.append(value)
        i += 1
    return _join(out), ""


def _snake(words: list[str]) -> str:
    return "_".join(word.lower() for word in words)


def _feel(text: str) -> tuple[str | None, str, tuple[str, ...]]:
    text = text.strip()
    quantified = _QUANTIFIED.match(text)
    if quantified:
        word, variable, collection, condition = quantified.groups()
        inner, problem, inner_renamed = _feel(condition)
        source, problem2, source_renamed = _feel(collection)
        if inner is None or source is None:
            return None, problem or problem2, ()
        function = "any" if word == "some" else "all"
        return f"{function}(({inner}) for {variable} in {source})", "", inner_renamed + source_renamed
    tokens = _tokens(text)
    out: list[str] = []
    renamed: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "other" or value in ("..", "[", "]", "?", ":"):
            return None, msg("expr.feel_syntax", token=value), ()
        if kind == "name":
            words = [value]
            # FEEL names may contain spaces ("Vacation Approval"): join consecutive plain words.
            while (
                value not in _FEEL_KEYWORDS
                and i + 1 < len(tokens)
                and tokens[i + 1][0] == "name"
                and tokens[i + 1][1] not in _FEEL_KEYWORDS
            ):
                i += 1
                value = tokens[i][1]
                words.append(value)
            if len(words) > 1:
                renamed.append(" ".join(words))
                out.append(_snake(words))
            elif value in _CONSTANTS:
                out.append(_CONSTANTS[value])
            elif ":" in value:
                return None, msg("expr.function", function=value), ()
            elif value in ("some", "every", "between", "instance", "function", "for", "if"):
                return None, msg("expr.feel_construct", construct=value), ()
            else:
                out.append(value)
        elif value == "=":
            out.append("==")
        elif value == "<>":
            out.append("!=")
        else:
            out.append(value)
        i += 1
    return _join(out), "", tuple(renamed)


def _xpath(text: str) -> tuple[str | None, str, tuple[str, ...]]:
    text = re.sub(r"bpmn:getDataObject\(\s*(['\"])([A-Za-z_]\w*)\1\s*\)", r"\2", text)
    text = re.sub(r"\btrue\(\)", "true", text)
    text = re.sub(r"\bfalse\(\)", "false", text)
    return _feel(text)  # what is left is FEEL-like: =, and/or, not(...)


def _check(python: str) -> str:
    """Why the Python cannot be an engine expression; empty when it can."""
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError as error:
        return msg("expr.invalid", error=error.msg)  # Python's own words for the syntax error
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_CALLS):
            return msg("expr.unknown_function")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return msg("expr.private_attribute")
    return ""


def _python_error(source: str) -> str:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError as error:
        return error.msg
    return "not allowed"


def _constants_fixed(python: str) -> str:
    """Bare true/false/null in an otherwise Python expression mean the constants (no variable has those names)."""
    tokens = _tokens(python)
    return _join([_CONSTANTS.get(value, value) if kind == "name" else value for kind, value in tokens])


_JUEL_WRAPPED = re.compile(r"^[$#]\{(.*)\}$", re.DOTALL)


def juel_to_python(expression: str) -> str:
    """The Python the engine evaluates for ``expression``: a ``${...}`` JUEL expression translated, other text as is.

    The one JUEL translation (the tokens of :func:`translate_expression`), used where an expression is
    evaluated (the restricted script engine), checked (deploy lint, designer rules) or read for variable
    names, so that the check and the engine cannot disagree. JUEL that does not translate is returned
    unchanged: Python then reports it as a syntax error, at check and at run time alike.
    """
    wrapped = _JUEL_WRAPPED.match(expression.strip())
    if not wrapped:
        return expression
    python, _problem = _juel_inner(wrapped.group(1))
    return expression if python is None else python


def translate_expression(text: str, language: str | None = None) -> Translation:
    """Python for a condition or value expression in JUEL, FEEL, XPath or Python."""
    source = (text or "").strip()
    if not source:
        return Translation(None, PYTHON, msg("expr.empty"))
    declared = dialect_of_language(language)
    wrapped = _JUEL_WRAPPED.match(source)
    renamed: tuple[str, ...] = ()
    if wrapped:
        dialect = JUEL
        python, problem = _juel_inner(wrapped.group(1))
    elif source.startswith("="):
        dialect = FEEL
        python, problem, renamed = _feel(source[1:])
    elif declared and declared.startswith("script:"):
        return Translation(None, declared[7:], msg("expr.language", language=language))
    else:
        if _check(source) == "":
            fixed = _constants_fixed(source) if re.search(r"\b(true|false|null)\b", source) else source
            return Translation(fixed, PYTHON if fixed == source else JUEL)
        if declared == XPATH or "getDataObject" in source:
            dialect = XPATH
            python, problem, renamed = _xpath(source)
        else:
            python, problem, renamed = _feel(source)
            # Only a declared FEEL makes an unparsable text FEEL; otherwise it is Python with a typo.
            dialect = FEEL if declared == FEEL or python is not None and not _check(python) else PYTHON
            if dialect == PYTHON:
                return Translation(None, PYTHON, msg("expr.invalid", error=_python_error(source)))
    if python is None:
        return Translation(None, dialect, problem)
    problem = _check(python)
    if problem:
        return Translation(None, dialect, problem)
    return Translation(python, dialect, renamed=renamed)


def translate_script(script: str, script_format: str | None) -> Translation:
    """Python for a script task body; Groovy/JavaScript only when it just sets variables."""
    fmt = (script_format or "python").strip().lower()
    if fmt in ("python", "py", ""):
        return Translation(script, PYTHON)
    lines = []
    for raw in script.splitlines():
        line = raw.strip().rstrip(";").strip()
        if not line or line.startswith("//"):
            continue
        match = re.match(r"^execution\.setVariable\(\s*(['\"])([A-Za-z_]\w*)\1\s*,\s*(.+)\)$", line)
        if not match:
            return Translation(None, fmt, msg("expr.script_format", format=script_format))
        value, problem = _juel_inner(match.group(3))
        if value is None or _check(value):
            return Translation(None, fmt, msg("expr.script_value", name=match.group(2)))
        lines.append(f"{match.group(2)} = {value}")
    if not lines:
        return Translation(None, fmt, msg("expr.empty"))
    return Translation("\n".join(lines) + "\n", fmt)


def free_names(python: str) -> set[str]:
    """Variable names an expression or script reads (for 'is this variable ever set?' checks)."""
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return set()
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loads - bound


def assigned_names(python: str) -> set[str]:
    """Top-level variables a script sets."""
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
