"""The only package that imports SpiffWorkflow.

It hands out the project's own small dataclasses (ready human tasks, pending timers, message waits,
incidents) so that services and storage never see SpiffWorkflow types.
"""
