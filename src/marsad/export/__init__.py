"""marsad.export: events as ACLED CSV, GeoJSON, JSONL (SCHEMA.md) and Parquet.

`export_rows` (plain rows as CSV/GeoJSON/JSONL) is the first version, kept for its callers.
"""

from marsad.export.acled import ACLED_COLUMNS, acled_row
from marsad.export.events import EXPORT_FORMATS, EXPORT_MEDIA, ExportError, export_events
from marsad.export.writers import FORMATS, MEDIA_TYPES, export_rows

__all__ = [
    "ACLED_COLUMNS",
    "EXPORT_FORMATS",
    "EXPORT_MEDIA",
    "FORMATS",
    "MEDIA_TYPES",
    "ExportError",
    "acled_row",
    "export_events",
    "export_rows",
]
