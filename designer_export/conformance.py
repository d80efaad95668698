"""Conformance over a corpus of real modeller exports: the deployable share per source folder.

For every file it records three verdicts measured in the same run: does plain SpiffWorkflow
(``BpmnParser`` without our normalisation) parse every executable process; is the file deployable
with ``complaintflow designer check``; and is it deployable with ``--as-executable``. The bench script
``bench/designer_corpus.py`` prints the table; the conformance test asserts floors on the shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from designer_export.check import REJECTED, FileReport, check_paths
from designer_export.trial import plain_spiffworkflow_parses

SUFFIXES = (".bpmn", ".dmn", ".bpmn20.xml")


@dataclass
class FileVerdict:
    """The three verdicts on one corpus file, and the reports behind the last two."""

    path: Path
    folder: str
    plain_parses: bool
    default: FileReport
    as_executable: FileReport


@dataclass
class FolderRow:
    """Counts for one source folder (a modelling tool, or a group of examples)."""

    folder: str
    files: int = 0
    plain: int = 0
    default: int = 0
    as_executable: int = 0

    def share(self, count: int) -> float:
        return count / self.files if self.files else 0.0


@dataclass
class Measurement:
    """All verdicts plus the per-folder table."""

    verdicts: list[FileVerdict] = field(default_factory=list)

    def rows(self) -> list[FolderRow]:
        table: dict[str, FolderRow] = {}
        for verdict in self.verdicts:
            row = table.setdefault(verdict.folder, FolderRow(verdict.folder))
            row.files += 1
            row.plain += verdict.plain_parses
            row.default += verdict.default.status != REJECTED
            row.as_executable += verdict.as_executable.status != REJECTED
        return [table[name] for name in sorted(table)]

    def total(self) -> FolderRow:
        total = FolderRow("all")
        for row in self.rows():
            total.files += row.files
            total.plain += row.plain
            total.default += row.default
            total.as_executable += row.as_executable
        return total


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))


def _folder(path: Path, root: Path, depth: int) -> str:
    parts = path.relative_to(root).parts[:-1]
    return "/".join(parts[:depth]) or "."


def measure(root: Path, depth: int = 2, paths: Iterable[Path] | None = None) -> Measurement:
    """Check every corpus file alone, as a designer would upload it."""
    measurement = Measurement()
    for path in paths if paths is not None else corpus_files(root):
        [default] = check_paths([str(path)])
        [executable] = check_paths([str(path)], as_executable=True)
        folder = _folder(path, root, depth)
        measurement.verdicts.append(FileVerdict(path, folder, plain_spiffworkflow_parses(path), default, executable))
    return measurement


def markdown_table(measurement: Measurement) -> str:
    """The table for docs/designer.md: files and shares per folder, plain SpiffWorkflow beside ours."""
    lines = [
        "| source folder | files | plain SpiffWorkflow parses | deployable | deployable --as-executable |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in [*measurement.rows(), measurement.total()]:
        name = f"**{row.folder}**" if row.folder == "all" else row.folder
        lines.append(
            f"| {name} | {row.files} | {row.plain} ({row.share(row.plain):.0%}) | {row.default} "
            f"({row.share(row.default):.0%}) | {row.as_executable} ({row.share(row.as_executable):.0%}) |"
        )
    return "\n".join(lines)
