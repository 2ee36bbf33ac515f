"""All models, importable from one place (`from app.models import Signal`)."""

from app.config import ROLES as ROLES_ORDER
from app.models.accounts import ORGANISATION_KINDS, BuurtAssignment, DeviceToken, Organisation, User
from app.models.aggregates import GRID_SCALE, GRID_ZOOM, SignalGridCount
from app.models.history import (
    QuarantinedMutation,
    RecordChange,
    RecordConflict,
    SyncClient,
    SyncMutation,
    SyncSequence,
)
from app.models.notifications import NOTIFICATION_KINDS, NOTIFICATION_STATUSES, Notification
from app.models.places import DEFAULT_THEMES, THEME_DOMAINS, Buurt, Theme
from app.models.records import (
    DOMAINS,
    ENTITIES,
    IDEA_STATUSES,
    SETTINGS,
    SIGNAL_STATUSES,
    SUPPORT_KINDS,
    URGENCIES,
    Attachment,
    ContactAccess,
    Conversation,
    Followup,
    Idea,
    ResidentContact,
    Signal,
    SyncedRecord,
)
from app.models.types import utcnow

__all__ = [
    "DEFAULT_THEMES",
    "DOMAINS",
    "ROLES_ORDER",
    "ENTITIES",
    "GRID_SCALE",
    "GRID_ZOOM",
    "IDEA_STATUSES",
    "NOTIFICATION_KINDS",
    "NOTIFICATION_STATUSES",
    "ORGANISATION_KINDS",
    "SETTINGS",
    "SIGNAL_STATUSES",
    "SUPPORT_KINDS",
    "THEME_DOMAINS",
    "URGENCIES",
    "Attachment",
    "Buurt",
    "BuurtAssignment",
    "ContactAccess",
    "Conversation",
    "DeviceToken",
    "Followup",
    "Idea",
    "Notification",
    "Organisation",
    "QuarantinedMutation",
    "RecordChange",
    "RecordConflict",
    "ResidentContact",
    "Signal",
    "SignalGridCount",
    "SyncClient",
    "SyncMutation",
    "SyncSequence",
    "SyncedRecord",
    "Theme",
    "User",
    "utcnow",
]
