"""Task descriptions show only what is set."""

from __future__ import annotations

from webui.task_text import fill_documentation

HANDLE = (
    "Complaint {{ complaint_id }} from {{ customer_name }} ({{ customer_segment }}, via {{ channel }}): {{ subject }}."
    " {{ description }} Product {{ product }}, order {{ order_ref }}, amount in dispute {{ amount }} EUR."
    " Department findings: {{ department_findings }}. Information from the customer: {{ customer_info }}."
    " Answer the customer and choose the next step."
)
BASE = {"complaint_id": "C-1", "customer_name": "Tom", "customer_segment": "standard", "channel": "api",
        "subject": "Toaster burns. Badly", "description": "It burns. Really."}  # fmt: skip


def test_unset_parts_are_left_out() -> None:
    text = fill_documentation(HANDLE, {**BASE, "amount": 0.0, "product": None, "order_ref": ""})
    assert text == (
        "Complaint C-1 from Tom (standard, via api): Toaster burns. Badly. It burns. Really."
        " Answer the customer and choose the next step."
    )


def test_set_parts_stay_and_the_sentence_starts_with_a_capital() -> None:
    text = fill_documentation(HANDLE, {**BASE, "amount": 12.5, "order_ref": "4711", "customer_info": "Model T-200."})
    assert "Order 4711, amount in dispute 12.5 EUR." in text
    assert "Information from the customer: Model T-200." in text and "Product" not in text and "…" not in text


def test_a_sentence_that_only_frames_a_missing_value_goes() -> None:
    text = "Resolutions above {{ limit }} EUR need approval. If a lead rejected it, the reason is: {{ comment }}"
    assert fill_documentation(text, {"limit": 200}) == "Resolutions above 200 EUR need approval."
    assert fill_documentation(text, {"limit": 200, "comment": "too high"}).endswith("the reason is: too high")
