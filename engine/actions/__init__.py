"""What service tasks do (mail, remind, escalate, set priority, SLA clock, closure): the system actions.

``registry`` maps each ``camunda:topic`` to its handler, built explicitly; ``runner.run_actions`` is
the step the use cases call after the engine step and before saving the run, so every effect is
visible in the use case that causes it. ``context.ServiceContext`` is what a handler may use.
"""
