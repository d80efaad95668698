"""Benchmarks of the complaintflow engine; ``bench/engine.py`` is the entry point."""
