"""The roles a user can hold and the named permission sets built from them: the only place role names appear.

Services check ``actor.roles & SOME_ROLES``; the web UI passes the same sets to ``require_roles`` and, in
templates, to ``current_user.has_role(*roles.SOME_ROLES)``. Adding a role or widening a permission is a
change here (plus its label in ``webui/formatting.py``); ``tests/unit/test_roles.py`` fails on a role
name written out anywhere else.
"""

from __future__ import annotations

ROLE_AGENT = "agent"
ROLE_TEAM_LEAD = "team_lead"
ROLE_MANAGER = "manager"
ROLE_DESIGNER = "designer"
ROLE_ADMIN = "admin"

# Every role, in the order forms and lists show them.
ROLES = (ROLE_AGENT, ROLE_TEAM_LEAD, ROLE_MANAGER, ROLE_DESIGNER, ROLE_ADMIN)

# Work on cases: task lists, case pages (department members qualify through their groups, not a role).
CASE_WORKER_ROLES = frozenset({ROLE_AGENT, ROLE_TEAM_LEAD, ROLE_MANAGER})
# (Re)assign any task and take over any instance's work.
SUPERVISING_ROLES = frozenset({ROLE_ADMIN, ROLE_TEAM_LEAD})
# See and act on every complaint, whoever it is assigned to.
CASE_SUPERVISING_ROLES = frozenset({ROLE_ADMIN, ROLE_TEAM_LEAD, ROLE_MANAGER})
# The "all open tasks" list and saved filters over it.
ALL_TASKS_ROLES = frozenset({ROLE_TEAM_LEAD, ROLE_MANAGER})
# The team workload page (open tasks per person) and reassigning several tasks at once from it.
WORKLOAD_ROLES = frozenset({ROLE_TEAM_LEAD, ROLE_MANAGER})
# Suspend, resume, cancel instances and reassign their tasks.
CONTROL_ROLES = frozenset({ROLE_ADMIN, ROLE_TEAM_LEAD, ROLE_MANAGER})
# Retry an instance that stopped with an incident.
RETRY_ROLES = frozenset({ROLE_ADMIN, ROLE_TEAM_LEAD, ROLE_MANAGER, ROLE_DESIGNER})
# Process design: check, deploy, download and migrate process versions.
DEPLOY_ROLES = frozenset({ROLE_ADMIN, ROLE_DESIGNER})
# The monitoring cockpit: dashboards, KPIs, instances.
COCKPIT_ROLES = frozenset({ROLE_MANAGER, ROLE_TEAM_LEAD, ROLE_ADMIN})
# An instance's diagram with its state: designers and the cockpit's users.
INSTANCE_DIAGRAM_ROLES = DEPLOY_ROLES | COCKPIT_ROLES
# The audit log and its export.
AUDIT_ROLES = frozenset({ROLE_MANAGER, ROLE_ADMIN})
# The complaint register and the regulators' returns (personal data; every access audited).
REGISTER_ROLES = frozenset({ROLE_MANAGER, ROLE_ADMIN})
# Read external tasks and set their retries (Camunda's cockpit does both): the operators who watch instances.
EXTERNAL_TASK_OPERATOR_ROLES = frozenset({ROLE_ADMIN, ROLE_TEAM_LEAD, ROLE_MANAGER, ROLE_DESIGNER})
# Start process instances through /engine-rest (besides the external worker group).
PROCESS_START_ROLES = frozenset({ROLE_ADMIN, ROLE_DESIGNER, ROLE_TEAM_LEAD, ROLE_MANAGER})
# Record a complaint staff received by phone, letter, in person or on social media, or found themselves.
RECORD_COMPLAINT_ROLES = CASE_WORKER_ROLES
# Publish knowledge base articles in the customer FAQ, and delete articles.
KB_EDITOR_ROLES = frozenset({ROLE_TEAM_LEAD, ROLE_MANAGER, ROLE_ADMIN})
# Write and edit knowledge base articles (internal until an editor publishes them).
KB_WRITER_ROLES = KB_EDITOR_ROLES | {ROLE_AGENT}
# Maintain reply templates.
TEMPLATE_EDITOR_ROLES = frozenset({ROLE_TEAM_LEAD, ROLE_ADMIN})
