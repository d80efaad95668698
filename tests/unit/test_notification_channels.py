"""One registry of notification channels: names in the domain, a sender each in notifications/channels.py."""

from __future__ import annotations

import ast
from pathlib import Path

from engine.domain.notification_channels import NOTIFICATION_CHANNELS
from notifications.channels import CHANNELS

ROOT = Path(__file__).resolve().parents[2]
HOME = "engine/domain/notification_channels.py"


def test_every_channel_has_exactly_one_sender() -> None:
    assert sorted(CHANNELS) == sorted(NOTIFICATION_CHANNELS)
    for channel in CHANNELS.values():
        assert (channel.send is None) != (channel.send_all is None), channel.name


def written_out_channels(path: Path) -> list[str]:
    """A channel name written as a string where a row's kind is set or compared (``kind="email"``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        values: list[ast.expr] = []
        if isinstance(node, ast.keyword) and node.arg == "kind":
            values = [node.value]
        elif isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == "kind" for side in (node.left, *node.comparators)
        ):
            values = [node.left, *node.comparators]
        found += [
            f"{path.name}:{value.lineno}: {value.value!r}"
            for value in values
            if isinstance(value, ast.Constant) and value.value in NOTIFICATION_CHANNELS
        ]
    return found


def test_product_code_names_channels_through_the_constants(tmp_path: Path) -> None:
    found = []
    for package in ("engine", "notifications", "webui", "complaintflow"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() != HOME:
                found += written_out_channels(path)
    assert found == []
    sample = tmp_path / "sample.py"
    sample.write_text('Row(kind="in_app")\nif row.kind == "webhook":\n    pass\nRow(kind=CHANNEL_EMAIL)\n')
    assert sorted(written_out_channels(sample)) == ["sample.py:1: 'in_app'", "sample.py:2: 'webhook'"]
