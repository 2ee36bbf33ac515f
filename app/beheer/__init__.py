"""Beheer: people, organisations, themes, buurten, quarantine, audits and retention, for admins."""
