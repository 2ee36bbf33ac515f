"""Sync: push, pull and quarantine for the field app, photo attachments, and the glue to `offline_sync`."""
