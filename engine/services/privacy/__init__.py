"""Data protection: exporting a customer's data, erasure, pseudonymisation, the retention clean-up and the
one path that may redact audit entries."""
