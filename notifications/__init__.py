"""Delivery of outbox rows (SMTP, in-app list, webhooks) and the customer channels around them."""
