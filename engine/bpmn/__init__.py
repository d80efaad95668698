"""Reading diagram files: XML, diagnostics, normalisation passes and expressions (no SpiffWorkflow here)."""
