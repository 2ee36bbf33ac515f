"""The public buurt page: what came of the buurt's signals and ideas, for anyone, without sign-in.

`overview` builds the one answer (figures with small counts suppressed, only what staff marked
public); `views` serves it as JSON, `pages` as a page a wijkreporter can link to.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public page and its JSON."""
    from app.extensions import api  # noqa: PLC0415
    from app.public import pages, views  # noqa: PLC0415

    app.config.setdefault("PUBLIC_CACHE_SECONDS", 60)
    api.register_blueprint(views.blp)
    app.register_blueprint(pages.blp)
