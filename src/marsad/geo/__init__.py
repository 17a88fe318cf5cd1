"""Gazetteer and geocoder: Arabic place names to coordinates."""

from marsad.geo.gazetteer import Gazetteer, Place, load
from marsad.geo.geocoder import doc_countries, event_location

__all__ = ["Gazetteer", "Place", "doc_countries", "event_location", "load"]
