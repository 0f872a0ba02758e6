"""Genres and stages as data: free-text genre matching, per-genre target ranges, stage rules and option aliases.

Pure and synchronous; imports only the standard library, ``services.domain`` and ``services.errors``. The figures
live in ``genres.json`` (with their sources), never in code.
"""

from __future__ import annotations

from services.genres.catalog import (
    ConditionalTarget,
    Genre,
    Range,
    StageRules,
    Targets,
    get_genre,
    list_genres,
    stage_rules,
)
from services.genres.choices import parse_feedback_type, parse_profile
from services.genres.matching import MAX_GENRE_LENGTH, GenreMatch, clean_genre, match_genre

__all__ = [
    "MAX_GENRE_LENGTH",
    "clean_genre",
    "ConditionalTarget",
    "Genre",
    "GenreMatch",
    "Range",
    "StageRules",
    "Targets",
    "get_genre",
    "list_genres",
    "match_genre",
    "parse_feedback_type",
    "parse_profile",
    "stage_rules",
]
