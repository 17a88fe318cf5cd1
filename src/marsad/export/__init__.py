"""marsad.export: events as CSV, GeoJSON or JSONL (`export_rows`)."""

from marsad.export.writers import FORMATS, MEDIA_TYPES, export_rows

__all__ = ["FORMATS", "MEDIA_TYPES", "export_rows"]
