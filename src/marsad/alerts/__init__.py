"""marsad.alerts."""
