"""Photos, addressed by the SHA-256 of the uploaded bytes and served without EXIF metadata.

The name of an attachment is the hash of the bytes the client uploaded (the client computes it
before it is online, and a record may name it before the upload). What is stored and served is a
re-encoded copy without EXIF, XMP or text chunks, so no GPS position or device data leaves the
server; that copy therefore does not hash to the name. A second upload of the same bytes is 200.
"""

from __future__ import annotations

import hashlib
import io

from flask import Response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError

from app.accounts.auth import login_required
from app.database import write_transaction, writes_late
from app.errors import ApiError
from app.extensions import db
from app.models import Attachment
from app.request_limits import read_body
from app.sync.photo_access import may_see_photo, record_upload
from app.sync.service import actor_for

blp = Blueprint("attachments", __name__, url_prefix="/api/v1/attachments", description="Foto's")

MAX_BYTES = 10 * 1024 * 1024
#: Decompression bombs: a small file that unpacks to a huge bitmap (docs/API.md "Trust rules").
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SHA256_PATH = "<string(length=64):sha256>"


def _check_name(sha256: str) -> None:
    if any(c not in "0123456789abcdef" for c in sha256):
        raise ApiError(400, "De naam moet de SHA-256 van de bytes zijn (64 kleine hexadecimale tekens).")


def _read_upload() -> bytes:
    return read_body(MAX_BYTES, "De foto is groter dan 10 MB.")


def _too_many_pixels(width: int, height: int) -> ApiError:
    return ApiError(413, f"De foto heeft te veel pixels ({width}×{height}); hoogstens "
                         f"{MAX_PIXELS // 1_000_000} megapixel.")


def strip_metadata(data: bytes) -> tuple[bytes, str, int, int]:
    """Return the image re-encoded without metadata, its MIME type, width and height.

    The orientation tag is applied to the pixels first, so the photo still shows upright.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            probe.verify()
    except Image.DecompressionBombError as exc:
        # Pillow refuses to even open a bitmap over twice its own limit: a bomb, whatever its size.
        raise ApiError(413, f"De foto heeft te veel pixels; hoogstens {MAX_PIXELS // 1_000_000} megapixel.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ApiError(415, "Dit is geen JPEG-, PNG- of WebP-afbeelding.") from exc
    if kind not in FORMATS:
        raise ApiError(415, f"Bestandstype {kind} wordt niet geaccepteerd; alleen JPEG, PNG of WebP.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            icc = image.info.get("icc_profile")
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(width, height) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ApiError(400, "De afbeelding is beschadigd en kan niet worden gelezen.") from exc
    # Pillow carries comments (JPEG COM), text chunks and EXIF over in `info` when it saves; keep only
    # the colour profile.
    upright.info = {}
    out = io.BytesIO()
    if kind == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, icc_profile=icc)
    elif kind == "PNG":
        upright.save(out, "PNG", icc_profile=icc)
    else:
        upright.save(out, "WEBP", quality=90, icc_profile=icc)
    return out.getvalue(), FORMATS[kind], upright.width, upright.height


def _note_upload(sha256: str) -> None:
    """Note, in a write transaction of its own, that this user holds the bytes (a race of two is harmless)."""
    user_id = current_user.id
    try:
        with write_transaction(db.session()):
            record_upload(user_id, sha256)
    except IntegrityError:
        pass  # the same user's second request noted it first


@blp.route(f"/{SHA256_PATH}")
class AttachmentResource(MethodView):
    @writes_late  # Pillow's re-encode runs before, not under, the write lock
    @login_required
    @blp.response(201)
    def put(self, sha256: str):
        """Store a photo (JPEG, PNG or WebP, at most 10 MB) under the SHA-256 of its bytes."""
        _check_name(sha256)
        data = _read_upload()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ApiError(400, "De bytes hebben een andere SHA-256 dan de naam; de upload is onvolledig of fout.")
        if db.session.get(Attachment, sha256) is not None:
            _note_upload(sha256)
            return Response(status=200)
        clean, content_type, width, height = strip_metadata(data)
        user_id = current_user.id
        try:
            with write_transaction(db.session()):
                db.session.add(Attachment(sha256=sha256, content_type=content_type, size_bytes=len(clean),
                                          width=width, height=height, data=clean, created_by_id=user_id))
                db.session.flush()
                record_upload(user_id, sha256)
        except IntegrityError:
            _note_upload(sha256)  # the same photo arrived twice at once
            return Response(status=200)
        return Response(status=201, headers={"Location": request.path})

    @login_required
    def get(self, sha256: str):
        """Return a photo without metadata to whoever may see a record that names it."""
        _check_name(sha256)
        attachment = db.session.get(Attachment, sha256)
        if attachment is None or not may_see_photo(actor_for(current_user), sha256):
            raise ApiError(404, "Deze foto bestaat niet of u heeft er geen toegang toe.")
        response = Response(attachment.data, mimetype=attachment.content_type)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.set_etag(sha256)
        return response
