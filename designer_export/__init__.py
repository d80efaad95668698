"""Designer import and export: checks and diagnostics for uploaded diagrams, versions, diffs, templates.

The normalisation deploy needs lives in ``engine.bpmn.normalize.pipeline``; this package adds the checks a
designer sees (schema, semantic rules, trial parse), their reports, and the export side.
"""

from designer_export.check import (
    DEPLOYABLE,
    DEPLOYABLE_WITH_WARNINGS,
    NEEDS_ATTENTION,
    REJECTED,
    FileReport,
    Upload,
    check_paths,
    check_uploads,
)

__all__ = [
    "DEPLOYABLE",
    "DEPLOYABLE_WITH_WARNINGS",
    "NEEDS_ATTENTION",
    "REJECTED",
    "FileReport",
    "Upload",
    "check_paths",
    "check_uploads",
]
