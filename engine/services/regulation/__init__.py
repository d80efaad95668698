"""Regulation packs: legal deadlines, mandated letters and record retention (docs/regulation.md)."""
