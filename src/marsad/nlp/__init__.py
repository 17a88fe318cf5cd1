"""Pipeline components that find things in the text: numbers, dates, actors, places, entities."""
