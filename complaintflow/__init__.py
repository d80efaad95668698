"""Composition root: wires settings, database, engine services and (later) the web UI and notifiers."""
