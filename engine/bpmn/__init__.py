"""Reading diagram files: BPMN/DMN XML, diagnostics, normalisation passes, expressions (JUEL, FEEL, DMN).

Nothing here imports SpiffWorkflow (``engine.runtime`` is the adapter that does): this package turns an
uploaded file into the text the engine runs, or into diagnostics that name the element that cannot run.
"""
