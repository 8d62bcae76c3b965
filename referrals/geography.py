"""Places and languages offered in forms (one spelling everywhere, so matching compares equal)."""

from __future__ import annotations

# The Kansas City metro counties on both sides of the state line.
COUNTIES: tuple[str, ...] = (
    "Jackson County, MO",
    "Clay County, MO",
    "Platte County, MO",
    "Cass County, MO",
    "Ray County, MO",
    "Lafayette County, MO",
    "Wyandotte County, KS",
    "Johnson County, KS",
    "Leavenworth County, KS",
    "Miami County, KS",
    "Outside the metro area",
)

LANGUAGES: tuple[str, ...] = (
    "English",
    "Spanish",
    "Vietnamese",
    "Swahili",
    "Arabic",
    "Somali",
    "French",
    "Haitian Creole",
    "Chinese",
    "Burmese",
    "Nepali",
    "American Sign Language",
)
