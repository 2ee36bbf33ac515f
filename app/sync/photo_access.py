"""Who may see a photo: a hash alone opens nothing (docs/security.md "Photos").

A photo is served to a user who uploaded its bytes, or who may see a record that names it through a
*valid* link. A link (`record_photos`, written by the sync engine) is valid when the user who named
the photo had uploaded those bytes themselves (before or after naming it: a phone names its photo
before the upload), or could already see the photo at that moment (`vouched`: e.g. a colleague who
pulled the record and edits its list). Naming someone else's photo by its hash in your own record
therefore opens nothing: the link is neither vouched nor backed by an upload of yours.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select

from app.extensions import db
from app.models import AttachmentUpload, Idea, RecordPhoto, Signal
from offline_sync.engine import Actor
from offline_sync.records import record_dict

MODELS = {"signal": Signal, "idea": Idea}


def _uploaded_by(user_id: uuid.UUID, hashes: set[str]) -> set[str]:
    return set(db.session.scalars(select(AttachmentUpload.sha256).where(
        AttachmentUpload.user_id == user_id, AttachmentUpload.sha256.in_(sorted(hashes)))))


def _visible_through_links(actor: Actor, hashes: set[str]) -> set[str]:
    """Return the hashes that a valid link on a record visible to `actor` names."""
    uploaded = select(AttachmentUpload.user_id).where(AttachmentUpload.sha256 == RecordPhoto.sha256)
    links = db.session.execute(select(RecordPhoto.entity, RecordPhoto.record_id, RecordPhoto.sha256).where(
        RecordPhoto.sha256.in_(sorted(hashes)),
        or_(RecordPhoto.vouched.is_(True), RecordPhoto.linked_by_id.in_(uploaded.scalar_subquery())),
    )).all()
    seen: set[str] = set()
    for entity, ids in _group(links).items():
        model = MODELS.get(entity)
        if model is None:
            continue
        for record in db.session.scalars(select(model).where(model.id.in_(ids))):
            if actor.may_see(record_dict(record)):
                seen.update(sha for e, rid, sha in links if e == entity and rid == record.id)
    return seen


def _group(links) -> dict[str, list[uuid.UUID]]:
    grouped: dict[str, list[uuid.UUID]] = {}
    for entity, record_id, _sha in links:
        grouped.setdefault(entity, []).append(record_id)
    return grouped


def vouched_photos(actor: Actor, hashes: set[str]) -> set[str]:
    """Return the hashes this actor holds (uploaded) or may already see; used when a record names them."""
    user_id = uuid.UUID(actor.user_id)
    held = _uploaded_by(user_id, hashes)
    return held | _visible_through_links(actor, hashes - held)


def may_see_photo(actor: Actor, sha256: str) -> bool:
    """Return whether a signed-in user may fetch this photo."""
    return bool(vouched_photos(actor, {sha256}))


def record_upload(user_id: uuid.UUID, sha256: str) -> None:
    """Note that this user sent these bytes (a repeat upload of the same bytes proves possession too)."""
    if db.session.get(AttachmentUpload, (sha256, user_id)) is None:
        db.session.add(AttachmentUpload(sha256=sha256, user_id=user_id))
