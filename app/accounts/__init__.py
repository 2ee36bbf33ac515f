"""Accounts: sign-in (cookies, device tokens, CSRF, roles), the auth API, organisations, themes, users."""
