"""Accounts, groups, roles, sign-in and REST API tokens."""
