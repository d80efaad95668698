"""Case work: human tasks, notes, hand-overs, subtasks, attachments, customer contact, knowledge base,
saved task filters, and who may see which case."""
