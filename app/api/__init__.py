"""JSON API blueprints under /api/v1; every module here that defines `blp` is registered."""
