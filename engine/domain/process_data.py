"""The variables every complaint process starts with (documented in processes/README.md).

Intake (portal, REST API, mail) starts the process with exactly these (``process_variables`` in
engine.services.complaints); the designer check counts them as set when it looks for conditions that
read a variable nothing sets.
"""

from __future__ import annotations

COMPLAINT_VARIABLES: tuple[str, ...] = (
    "complaint_id",
    "channel",
    "explicit",
    "customer_name",
    "customer_email",
    "customer_segment",
    "subject",
    "description",
    "product",
    "order_ref",
    "amount",
    "category",
    "language",
)

# The helpers diagram code may call besides its task data (engine.runtime.scripting.default_helpers).
HELPER_NAMES: frozenset[str] = frozenset(
    {"date", "datetime", "timedelta", "timezone", "Decimal", "math", "now", "sla_due", "sla_point",
     "end_of_business_day", "feel_script"}
)  # fmt: skip
