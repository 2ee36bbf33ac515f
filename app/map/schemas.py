"""Response shapes of the map and list views, for the OpenAPI document (GeoJSON, RFC 7946)."""

from __future__ import annotations

from marshmallow import INCLUDE, fields

from offline_sync.messages_nl import DutchSchema


class FeatureOut(DutchSchema):
    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"enum": ["Feature"]})
    id = fields.Raw(allow_none=True)
    geometry = fields.Dict(allow_none=True)
    properties = fields.Dict(allow_none=True)


class FeatureCollectionOut(DutchSchema):
    """A GeoJSON FeatureCollection; some views add members such as `truncated`."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(FeatureOut), required=True)


class SignalPageOut(FeatureCollectionOut):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class BuurtCountOut(DutchSchema):
    buurt_code = fields.String(required=True)
    total = fields.Integer(required=True)
    open = fields.Integer(required=True)


class BuurtCountsOut(DutchSchema):
    buurten = fields.List(fields.Nested(BuurtCountOut), required=True)
