"""What the complaint register and the regulators' returns classify a complaint by (stable ids, documented in
processes/README.md and docs/regulation.md; labels in the user's language live in webui/labels.py).

- Product groups follow the five product/service groupings of the FCA complaints return (DISP 1 Annex 1R),
  its credit-related grouping, the payment services and e-money return (DISP 1 Annex 1AD), and a group for
  goods and services outside financial regulation.
- Outcomes are the three the returns count: upheld, partly upheld, rejected. ``no_response`` (closed because
  the customer did not answer) is recorded by the shipped process and counts as none of them.
- Root causes are the causes the shipped close form offers; designers may add their own ids.
- Responses are the letters whose dates the register shows: acknowledgement, holding response (the
  written explanation of a delay) and final response.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.domain.calendar import BusinessCalendar, is_working_day

PRODUCT_GROUPS: tuple[str, ...] = (
    "banking_credit_cards",
    "home_finance",
    "insurance_pure_protection",
    "decumulation_pensions",
    "investments",
    "credit_related",
    "payment_services",
    "other_goods_services",
)
OUTCOME_UPHELD = "upheld"
OUTCOME_PARTLY_UPHELD = "partly_upheld"
OUTCOME_REJECTED = "rejected"
OUTCOMES: tuple[str, ...] = (OUTCOME_UPHELD, OUTCOME_PARTLY_UPHELD, OUTCOME_REJECTED)
# "At least partly successful" in BaFin's words, "upheld" in the FCA return (which counts partly upheld as upheld).
OUTCOMES_IN_FAVOUR: tuple[str, ...] = (OUTCOME_UPHELD, OUTCOME_PARTLY_UPHELD)
ROOT_CAUSES: tuple[str, ...] = (
    "product_defect",
    "delivery_problem",
    "billing_error",
    "pricing_policy",
    "process_gap",
    "communication",
    "staff_behaviour",
    "system_error",
    "third_party",
    "customer_error",
    "not_determined",
)
RESPONSE_ACKNOWLEDGEMENT = "acknowledgement"
RESPONSE_HOLDING = "holding"
RESPONSE_FINAL = "final"
# response kind -> complaint column holding its date
RESPONSE_COLUMNS: dict[str, str] = {
    RESPONSE_ACKNOWLEDGEMENT: "acknowledged_at",
    RESPONSE_HOLDING: "holding_response_at",
    RESPONSE_FINAL: "final_response_at",
}
CURRENCY_LENGTH = 3


def valid_currency(value: object) -> str | None:
    """An ISO 4217 code in upper case (three letters), or None for anything else."""
    text = str(value or "").strip().upper()
    return text if len(text) == CURRENCY_LENGTH and text.isascii() and text.isalpha() else None


def within_deadline(final_response_at: datetime | None, legal_deadline_at: datetime | None) -> bool | None:
    """Whether the final response came by the legal deadline; None while either is unknown."""
    if final_response_at is None or legal_deadline_at is None:
        return None
    return final_response_at <= legal_deadline_at


# Time to close, as the FCA return counts it (DISP 1.10.2R, DISP 1 Annex 1R; docs/regulation.md): by the close of
# the third business day after receipt (DISP 1.5), after that but within eight weeks, or later.
BAND_THREE_DAYS = "3_days"
BAND_EIGHT_WEEKS = "8_weeks"
BAND_LATER = "later"
BANDS: tuple[str, ...] = (BAND_THREE_DAYS, BAND_EIGHT_WEEKS, BAND_LATER)
# Business days for the bands: England and Wales (UK bank holidays by nation come from ``holidays``), in London time.
RETURN_CALENDAR = BusinessCalendar(
    "Europe/London", hours=(((time(9), time(17)),),) * 5 + ((), ()), country="GB", subdivision="ENG"
)


def time_to_close_band(received_at: datetime, settled_at: datetime) -> str:
    """The band of a complaint received at ``received_at`` and settled (final response or closure) at ``settled_at``."""
    zone = ZoneInfo(RETURN_CALENDAR.timezone)
    received_day, settled_day = received_at.astimezone(zone).date(), settled_at.astimezone(zone).date()
    business_days, day = 0, received_day
    while day < settled_day and business_days <= 3:
        day += timedelta(days=1)
        business_days += is_working_day(RETURN_CALENDAR, day)
    if business_days <= 3:
        return BAND_THREE_DAYS
    return BAND_EIGHT_WEEKS if settled_at - received_at <= timedelta(weeks=8) else BAND_LATER
