"""HTML pages and the PWA; every module here that defines `blp` is registered."""
