"""Lists with quality values (``Accept``, ``Accept-Encoding``): ``name;q=0.5, other``."""

from __future__ import annotations


def weighted(header: str) -> list[tuple[str, float]]:
    """Each entry's lower-cased name and weight (1 when not given, 0 when malformed), in order."""
    entries = []
    for entry in header.split(","):
        name, *parameters = (part.strip() for part in entry.split(";"))
        weight = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        entries.append((name.lower(), weight))
    return entries
