"""The SLA clock of a complaint (start, first response, pause, resume, stop) and business calendars
(settings file, versions kept in the database, their admin use cases)."""
