"""Instance migration in the web UI: a dry run, one instance, or all movable ones in batches.

A bulk run is a chain of POSTs, each migrating the next batch of instances after a cursor (each instance
in its own transaction, audited, by ``engine.services.designer.migration``). Nothing is kept in process memory:
the form carries the cursor, the total at the start and the start time, and the figures (done, moved,
remaining, rate) are counted in the database, so any gunicorn worker can take the next batch. Without
JavaScript the page shows a "Continue" button; ``js/designer-migration.js`` posts the batches by itself.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response
from wtforms import FloatField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from designer_export import api as designer_api
from engine.domain.errors import ComplaintflowError, NotFound
from engine.domain.roles import DEPLOY_ROLES
from engine.services.designer.versions import VersionInfo
from engine.store.models import INSTANCE_COMPLETED, AuditEntry, ProcessDefinition, ProcessInstance
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.engine_text import engine_message

bp = Blueprint("designer_migration", __name__, url_prefix="/designer/migrate")
DEFAULT_BATCH = 25
MAX_LISTED = 500  # a dry run over thousands of instances lists the first ones; the counts cover all


class MigrationForm(FlaskForm):
    process_key = StringField(validators=[DataRequired()])
    from_version = IntegerField(validators=[DataRequired(), NumberRange(min=1)])
    to_version = IntegerField(validators=[DataRequired(), NumberRange(min=1)])


class OneForm(MigrationForm):
    instance_id = IntegerField(validators=[DataRequired(), NumberRange(min=1)])


class BatchForm(MigrationForm):
    after = IntegerField(default=0, validators=[Optional(), NumberRange(min=0)])
    total = IntegerField(validators=[Optional(), NumberRange(min=0)])
    started = FloatField(validators=[Optional()])  # wall clock (epoch seconds) at the first batch, for the rate
    since = HiddenField()  # the application clock at the first batch: audit entries of this run are newer


@dataclass(frozen=True)
class Progress:
    """Figures of a bulk run, all counted in the database except the start values the form carries."""

    total: int
    done: int
    moved: int
    not_moved: int
    remaining: int
    percent: int
    rate: float  # instances per second
    eta_seconds: int | None

    @property
    def finished(self) -> bool:
        return self.remaining == 0


def _source(process_key: str, version: int) -> Select[Any]:
    """Unfinished instances still on the source version (the truth the progress is computed from)."""
    return (
        select(ProcessInstance.id)
        .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(
            ProcessDefinition.process_key == process_key,
            ProcessDefinition.version == version,
            ProcessInstance.status != INSTANCE_COMPLETED,
        )
    )


def _count(query: Select[Any]) -> int:
    return int(db().scalar(select(func.count()).select_from(query.subquery())) or 0)


def _moved_since(target: VersionInfo, since: datetime) -> int:
    on_target = select(ProcessInstance.id).where(ProcessInstance.definition_id == target.definition_id)
    query = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "instance_migrated", AuditEntry.at >= since, AuditEntry.instance_id.in_(on_target)
    )
    return int(db().scalar(query) or 0)


def progress_of(form: BatchForm, target: VersionInfo, since: datetime) -> Progress:
    """Where a bulk run stands, counted in the database after the batch up to ``form.after``."""
    source = _source(form.process_key.data or "", form.from_version.data or 0)
    after, total = form.after.data or 0, form.total.data or 0
    remaining = _count(source.where(ProcessInstance.id > after))
    not_moved = _count(source.where(ProcessInstance.id <= after))
    done = max(0, min(total, total - remaining))
    elapsed = max(time.time() - (form.started.data or time.time()), 1e-3)
    rate = done / elapsed
    percent = 100 if remaining == 0 else min(99, done * 100 // total) if total else 0
    eta = round(remaining / rate) if rate > 0 and remaining else (0 if not remaining else None)
    return Progress(total, done, _moved_since(target, since), not_moved, remaining, percent, rate, eta)


def _versions(process_key: str) -> list[VersionInfo]:
    try:
        return designer_api.list_versions(db(), process_key)
    except NotFound:
        return []


def _plan_url(process_key: str, from_version: int | None, to_version: int | None) -> str:
    params: dict[str, Any] = {"process": process_key, "from": from_version, "to": to_version, "dry_run": 1}
    return url_for("designer_migration.plan", **params)


@bp.get("/")
@require_roles(*DEPLOY_ROLES)
def plan() -> Any:
    process_key = request.args.get("process", "")
    versions = _versions(process_key) if process_key else []
    known = {v.version for v in versions}
    from_version = request.args.get("from", type=int)
    to_version = request.args.get("to", type=int) or (versions[0].version if versions else None)
    plans, error = None, None
    if request.args.get("dry_run") and versions:
        if from_version not in known or to_version not in known:
            error = _("Choose a source and a target version of this process.")
        elif from_version == to_version:
            error = _("The source and the target version are the same.")
        else:
            plans = designer_api.plan_migration(
                db(), process_key, now(), to_version=to_version, from_version=from_version
            )
    keys = sorted({v.process_key for v in designer_api.list_versions(db())})
    return render_template(
        "designer/migrate.html",
        keys=keys,
        process_key=process_key if versions else "",
        versions=versions,
        from_version=from_version,
        to_version=to_version,
        plans=plans[:MAX_LISTED] if plans else plans,
        movable=sum(p.can_move for p in plans or []),
        blocked=sum(not p.can_move for p in plans or []),
        error=error,
        form=MigrationForm(formdata=None),
    ), (400 if error else 200)


@bp.post("/instance")
@require_roles(*DEPLOY_ROLES)
def migrate_one() -> Response:
    form = OneForm()
    if not form.validate_on_submit():
        flash(_("The request was incomplete; nothing was migrated."), "error")
        return redirect(url_for("designer_migration.plan"))
    key, source, target = form.process_key.data or "", form.from_version.data, form.to_version.data
    instance_id = form.instance_id.data or 0
    try:
        result = designer_api.migrate(
            db(), actor(), key, now(), to_version=target, from_version=source, instance_ids=[instance_id]
        )
    except ComplaintflowError as error:
        db().rollback()
        flash(_("Instance %(id)s was not migrated: %(reason)s", id=instance_id, reason=engine_message(error)), "error")
    else:
        if result.moved:
            flash(_("Instance %(id)s now runs on version %(version)s.", id=instance_id, version=target), "success")
        else:
            reason = result.failed.get(instance_id) or _("it is not on the source version or has completed")
            flash(_("Instance %(id)s was not migrated: %(reason)s", id=instance_id, reason=reason), "error")
    return redirect(_plan_url(key, source, target))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _batch_refused(message: str, form: BatchForm, status: int = 400) -> Any:
    if _wants_json():
        return jsonify({"error": message}), status
    flash(message, "error")
    key = form.process_key.data or ""
    return redirect(_plan_url(key, form.from_version.data, form.to_version.data) if key else url_for(".plan"))


@bp.post("/batch")
@require_roles(*DEPLOY_ROLES)
def batch() -> Any:
    """Migrate the next batch after the cursor; answer the progress as a page (or JSON for the script)."""
    form = BatchForm()
    if not form.validate_on_submit():
        return _batch_refused(_("The request was incomplete; nothing was migrated."), form)
    key, source, target = form.process_key.data or "", form.from_version.data or 0, form.to_version.data or 0
    versions = {v.version: v for v in _versions(key)}
    if source not in versions or target not in versions or source == target:
        return _batch_refused(_("Choose a source and a target version of this process."), form)
    if form.total.data is None or not form.since.data:
        # The first batch: fix what the run is measured against.
        form.total.data = _count(_source(key, source))
        form.started.data = time.time()
        form.since.data = now().isoformat()
    try:
        since = datetime.fromisoformat(form.since.data or "")
    except ValueError:
        return _batch_refused(_("The request was incomplete; nothing was migrated."), form)
    size = int(current_app.config.get("DESIGNER_MIGRATION_BATCH", DEFAULT_BATCH))
    after = form.after.data or 0
    ids: list[int] = list(
        db().scalars(_source(key, source).where(ProcessInstance.id > after).order_by(ProcessInstance.id).limit(size))
    )
    if ids:
        try:
            designer_api.migrate(db(), actor(), key, now(), to_version=target, from_version=source, instance_ids=ids)
        except ComplaintflowError as error:
            db().rollback()
            return _batch_refused(engine_message(error), form, 409)
        form.after.data = ids[-1]
    progress = progress_of(form, versions[target], since)
    if _wants_json():
        cursor = {"after": form.after.data, "total": form.total.data, "started": form.started.data,
                  "since": form.since.data}  # fmt: skip
        return jsonify({**asdict(progress), "finished": progress.finished, "next": cursor})
    return render_template(
        "designer/migrate_progress.html",
        form=form,
        progress=progress,
        plan_url=_plan_url(key, source, target),
    )
