"""Running process instances: start, messages, retry, manager control, timer firing, and saving a run
(state, mirrored task/timer rows, visits, the complaint copy) in the use case's unit of work."""
