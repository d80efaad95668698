"""complaintflow's process engine: domain rules, SpiffWorkflow runtime, storage and use-case services.

Never imports Flask, ``webui`` or ``notifications`` (a layering test enforces it).
"""
