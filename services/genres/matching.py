"""Free-text genre → catalogue genre (+ optional subgenre), case- and punctuation-insensitive.

Matching is exact on a normalised key, never fuzzy: "reggae" must stay reggae and not drift to reggaeton.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from services.errors import BadUserInput
from services.genres.catalog import GENERAL, Genre, get_genre, list_genres

MAX_GENRE_LENGTH = 64

_SPLIT = re.compile(r"\s*[/:(),;]\s*|\s+-\s+")


@dataclass(frozen=True)
class GenreMatch:
    """The outcome of matching: ``matched`` is False when we fell back to ``general`` (``note`` says so)."""

    genre: Genre
    subgenre: str | None
    matched: bool
    note: str | None
    query: str

    @property
    def name(self) -> str:
        return self.genre.name


def normalise(text: str) -> str:
    """A matching key: lower case, accents dropped, "&" / " n " / "'n'" read as "and", punctuation removed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = plain.replace("&", " and ")
    plain = re.sub(r"(?:'n'|\bn\b)", " and ", plain)
    return re.sub(r"[^a-z0-9]", "", plain)


def _subgenre_of(genre: Genre, key: str) -> str | None:
    return next((s for s in genre.subgenres if normalise(s) == key), None)


@cache
def _keys() -> dict[str, tuple[Genre, str | None]]:
    """Every matching key of the (fixed) catalogue, built once: a genre's name, label or alias wins over another
    genre's subgenre, and the first genre in catalogue order wins a tie. Free text tries every run of its words, so
    normalising the whole catalogue per try cost milliseconds per request."""
    names: dict[str, tuple[Genre, str | None]] = {}
    for genre in list_genres(include_general=True):
        for name in (genre.name, genre.label, *genre.aliases):
            key = normalise(name)
            if key not in names:
                names[key] = (genre, None) if genre.name == GENERAL else (genre, _subgenre_of(genre, key))
    subgenres: dict[str, tuple[Genre, str | None]] = {}
    for genre in list_genres():
        for sub in genre.subgenres:
            subgenres.setdefault(normalise(sub), (genre, sub))
    return subgenres | names


def _by_key(key: str) -> tuple[Genre, str | None] | None:
    return _keys().get(key)


def _by_words(query: str) -> tuple[Genre, str | None] | None:
    """Free text: the longest run of whole words that names a genre ("epic orchestral soundtrack for a game")."""
    words = query.split()
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            found = _by_key(normalise(" ".join(words[start : start + size])))
            if found is not None and found[0].name != GENERAL:
                return found
    return None


def _fallback(query: str) -> GenreMatch:
    note = (
        f'Genre "{query.strip()}" is not in our catalogue, so general targets are used.'
        if query.strip()
        else "No genre given, so general targets are used."
    )
    return GenreMatch(genre=get_genre(GENERAL), subgenre=None, matched=False, note=note, query=query)


def match_genre(text: str | None, *, subgenre: str | None = None) -> GenreMatch:
    """Match ``text`` (e.g. "Hip Hop", "DnB", "techno / melodic techno") to a catalogue genre."""
    query = (text or "").strip()
    found = _by_key(normalise(query))
    if found is None:
        parts = [p for p in _SPLIT.split(query) if p]
        head = _by_key(normalise(parts[0])) if len(parts) >= 2 else None
        if head is not None and head[0].name != GENERAL:
            found, subgenre = (head[0], None), subgenre or " ".join(parts[1:])
    if found is None:
        found = _by_words(query)
    if found is None or found[0].name == GENERAL:
        return _fallback(query if found is None else "")
    return _with_subgenre(found[0], found[1], subgenre, query)


def _with_subgenre(genre: Genre, matched_sub: str | None, asked: str | None, query: str) -> GenreMatch:
    if not asked or not asked.strip():
        return GenreMatch(genre=genre, subgenre=matched_sub, matched=True, note=None, query=query)
    known = _subgenre_of(genre, normalise(asked))
    if known is not None:
        return GenreMatch(genre=genre, subgenre=known, matched=True, note=None, query=query)
    note = f'Subgenre "{asked.strip()}" is not in our data for {genre.label}; the {genre.label} targets are used.'
    return GenreMatch(genre=genre, subgenre=asked.strip().lower(), matched=True, note=note, query=query)


def clean_genre(genre: str) -> str:
    """A genre as typed, whitespace collapsed; longer than ``MAX_GENRE_LENGTH`` is refused (no genre name is)."""
    if len(genre) > MAX_GENRE_LENGTH * 4:  # refuse a huge value before splitting it
        raise BadUserInput(f"The genre must be at most {MAX_GENRE_LENGTH} characters.")
    cleaned = " ".join(genre.split())
    if len(cleaned) > MAX_GENRE_LENGTH:
        raise BadUserInput(f"The genre must be at most {MAX_GENRE_LENGTH} characters.")
    return cleaned
