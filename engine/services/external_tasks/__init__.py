"""Camunda 7's external tasks: steps that wait for a worker, which fetches, locks and completes them.

``sync`` mirrors the waiting steps of a run as rows (called by every save), ``locking`` fetches and locks
them for workers, ``outcomes`` applies what a worker reports (complete, failure, BPMN error) and what an
operator sets (retries). Every operation is one unit of work, checked and audited like the rest.
"""
