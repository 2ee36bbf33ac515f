"""The vocabulary (`offline_sync.vocabulary`) as an ES module for the pages and the field PWA: `/vocabulary.js`.

The JavaScript imports it (`import { VOCABULARY } from "/vocabulary.js"`) instead of keeping its own
labels; the PWA's service worker stores it with the shell, so the labels work offline too.
"""

from __future__ import annotations

import json
from functools import cache

from flask import Blueprint, Response, request

from offline_sync.vocabulary import as_json

blp = Blueprint("vocabulary", __name__)

URL = "/vocabulary.js"


@cache
def module_source() -> str:
    """Return the module's JavaScript: one exported constant built from the Python vocabulary."""
    data = json.dumps(as_json(), ensure_ascii=False, indent=2)
    return (
        "// Generated from offline_sync/vocabulary.py: every code and its one Dutch label.\n"
        f"export const VOCABULARY = Object.freeze({data});\n"
    )


@blp.get(URL)
def vocabulary_module():
    """Serve the vocabulary module; revalidated by ETag, so a changed label reaches the pages."""
    response = Response(module_source(), mimetype="text/javascript")
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)
