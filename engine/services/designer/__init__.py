"""Process design: deploying BPMN/DMN versions, the deployed versions, migrating instances between them,
and the designer use cases the web UI and CLI mount."""
