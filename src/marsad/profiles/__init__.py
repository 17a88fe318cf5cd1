"""Actor profiles: events over time and place, strength estimates, relations, spokespeople."""

from marsad.profiles.builder import ProfileError, actor_profile

__all__ = ["ProfileError", "actor_profile"]
