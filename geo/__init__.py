"""Spatial logic for Muurtje: reading buurt files and finding the buurt of a point."""

from geo.buurten import BuurtFeature, BuurtFileError, ReadResult, read_buurten
from geo.index import MAX_ACCURACY_M, BuurtIndex

__all__ = [
    "MAX_ACCURACY_M",
    "BuurtFeature",
    "BuurtFileError",
    "BuurtIndex",
    "ReadResult",
    "read_buurten",
]
