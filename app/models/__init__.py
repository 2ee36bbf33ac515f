"""All models, importable from one place (`from app.models import Signal`)."""

from app.config import ROLES as ROLES_ORDER
from app.models.accounts import BuurtAssignment, DeviceToken, Organisation, User, WebSession
from app.models.admin import AdminAction
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
from app.models.places import DEFAULT_THEMES, Buurt, Theme
from app.models.programme import Budget
from app.models.records import (
    ENTITIES,
    Attachment,
    AttachmentUpload,
    ContactAccess,
    Conversation,
    Followup,
    Gathering,
    Idea,
    RecordPhoto,
    ResidentContact,
    Signal,
    SyncedRecord,
)
from app.models.types import utcnow

__all__ = [
    "DEFAULT_THEMES",
    "ROLES_ORDER",
    "ENTITIES",
    "GRID_SCALE",
    "GRID_ZOOM",
    "AdminAction",
    "NOTIFICATION_KINDS",
    "NOTIFICATION_STATUSES",
    "Attachment",
    "AttachmentUpload",
    "Budget",
    "Buurt",
    "BuurtAssignment",
    "ContactAccess",
    "Conversation",
    "DeviceToken",
    "Followup",
    "Gathering",
    "Idea",
    "Notification",
    "Organisation",
    "QuarantinedMutation",
    "RecordChange",
    "RecordConflict",
    "RecordPhoto",
    "ResidentContact",
    "Signal",
    "SignalGridCount",
    "SyncClient",
    "SyncMutation",
    "SyncSequence",
    "SyncedRecord",
    "Theme",
    "User",
    "WebSession",
    "utcnow",
]
