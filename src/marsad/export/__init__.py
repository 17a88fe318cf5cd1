"""marsad.export."""
