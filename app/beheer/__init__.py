"""Beheer: the administration pages under /beheer, for admins."""
