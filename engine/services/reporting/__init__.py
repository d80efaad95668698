"""Reporting to supervisors: who read the complaint register and the regulators' returns (every access audited)."""
