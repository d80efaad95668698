"""Pure-Python domain rules: no database, no SpiffWorkflow, no clock of its own."""
