"""Normalising uploaded diagrams, one pass per module.

``pipeline`` runs the passes in order (``document``, ``vendor``, ``events``, ``activities``, ``flow``
for BPMN; ``dmn`` and ``dmn_cells`` for DMN). Each pass works on a ``context.Context``; ``graph`` and
``forms`` are helpers the passes share. Nothing here imports a pass late or imports the pipeline.
"""
