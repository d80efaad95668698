"""Complaints coming in: opening a complaint with its instance, customer channels (web form, e-mail,
REST API) and the customer portal."""
