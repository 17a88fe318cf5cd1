"""Gazetteer and geocoder: Arabic place names to coordinates."""
