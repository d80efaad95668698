"""Scripts and expressions run under CPU and data limits, in-process, and a breach is an incident.

The hostile cases of issue 13: ``while True: pass`` used to hang the request and hold a CPU until the
process was killed; ``'x' * 10**10`` would allocate ten gigabytes; deep recursion. Each now stops with a
clear message, as an incident at the script task, within the configured CPU time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.runtime import limits
from engine.runtime.script_limits import ScriptLimitExceeded
from engine.runtime.scripting import RestrictedEnvironment
from engine.services.instances import lifecycle as instances
from engine.store import queries
from tests.designer.helpers import diagram, linear
from tests.engine.helpers import ADMIN, LEA, deploy_paths

HOSTILE = {
    "endless_loop": ("while True: pass", "CPU time"),
    "huge_string": ("x = 'x' * 10**10", "MB of data"),
    "deep_recursion": ("def down(n):\n    return down(n + 1)\nx = down(0)", "recursed too deeply"),
    "swallowed_stop": ("while True:\n    try:\n        while True: pass\n    except:\n        pass", "CPU time"),
    "doubling_string": ("s = 'x'\nwhile True:\n    s += s", "MB of data"),
    "huge_power": ("x = pow(7, 10**10)", "MB of data"),
    "huge_list": ("x = [0] * 10**10", "MB of data"),
    "padding": ("x = 'a'.rjust(10**10)", "MB of data"),
    "format_width": ("x = '%10000000000s' % 'a'", "wider than"),
    "exponential_recursion": ("f = lambda n: n if n < 2 else f(n - 1) + f(n - 2)\nx = f(60)", "CPU time"),
    "factorial": ("x = math.factorial(10**7)", "above 50,000"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_script_stops_with_a_clear_message(name: str) -> None:
    source, expected = HOSTILE[name]
    started = time.thread_time()
    with limits.configured(script_cpu_seconds=0.5), pytest.raises(ScriptLimitExceeded, match=expected):
        RestrictedEnvironment().execute(source, {})
    assert time.thread_time() - started < 3


def test_ordinary_scripts_keep_their_meaning() -> None:
    context: dict[str, object] = {"amount": 120, "items": [1]}
    source = (
        "total = 0\nfor i in range(100):\n    total += i\nitems += [2]\nlabel = 'x' * 3 + 'y'\n"
        "share = '%5.1f' % (amount * 0.5)\npadded = str(amount).rjust(6, '0')\nbig = 2 ** 64"
    )
    RestrictedEnvironment().execute(source, context)
    assert context["total"] == 4950 and context["items"] == [1, 2] and context["label"] == "xxxy"
    assert context["share"] == " 60.0" and context["padded"] == "000120" and context["big"] == 2**64


def test_a_limit_is_per_thread_cpu_time() -> None:
    # Another thread spinning does not use up this thread's budget (threaded web servers).
    results: list[str] = []

    def spin() -> None:
        try:
            RestrictedEnvironment().execute("while True: pass", {})
        except ScriptLimitExceeded as error:
            results.append(str(error))

    with limits.configured(script_cpu_seconds=0.3):
        worker = threading.Thread(target=spin)
        worker.start()
        context: dict[str, object] = {}
        RestrictedEnvironment().execute("x = sum(i for i in range(900))", context)
        worker.join(timeout=30)
    assert context["x"] == sum(range(900))
    assert len(results) == 1 and "CPU time" in results[0]


def test_f_string_with_a_huge_width_is_refused_when_compiled() -> None:
    with pytest.raises(SyntaxError, match="format widths"):
        RestrictedEnvironment().execute("x = f'{1:>10000000000}'", {})


def _script_diagram(tmp_path: Path, script: str) -> Path:
    task = f'<scriptTask id="s1" name="Compute" scriptFormat="python"><script>{script}</script></scriptTask>'
    path = tmp_path / "hostile_script.bpmn"
    path.write_text(diagram(linear(task, '<userTask id="s2" name="Check" camunda:candidateGroups="agent"/>'),
                            process_id="hostile_script"))  # fmt: skip
    return path


@pytest.mark.parametrize("name", ["endless_loop", "huge_string", "deep_recursion"])
def test_hostile_script_is_an_incident_and_the_step_returns(
    session: Session, now: datetime, tmp_path: Path, name: str
) -> None:
    source, expected = HOSTILE[name]
    deploy_paths(session, now, _script_diagram(tmp_path, source.replace("<", "&lt;")))
    started = time.monotonic()
    with limits.configured(script_cpu_seconds=0.5):
        instance = instances.start_instance(session, ADMIN, "hostile_script", {}, now)
    assert time.monotonic() - started < 10
    incident = queries.open_incident(session, instance.id)
    assert instance.status == "incident"
    assert incident is not None and incident.element_id == "s1"
    assert expected in incident.message
    # Still an incident when retried unchanged; nothing was completed behind the designer's back.
    with limits.configured(script_cpu_seconds=0.5):
        instances.retry_instance(session, LEA, instance.id, now)
    assert instance.status == "incident"
