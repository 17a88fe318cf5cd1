"""marsad.merge."""
