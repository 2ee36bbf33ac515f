"""Records: read and edit one record, follow-ups, history, conflicts, and access to resident contacts."""
