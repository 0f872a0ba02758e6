"""The genre catalogue, for pickers and for free-text genre hints."""

from __future__ import annotations

import strawberry

from schema.context import Info
from services.genres import list_genres


@strawberry.type
class Genre:
    name: str
    label: str
    aliases: list[str]
    subgenres: list[str]


@strawberry.type
class GenreQuery:
    # Genres the feedback knows, with the aliases and subgenres it recognises.
    @strawberry.field
    def genres(self, info: Info) -> list[Genre]:
        info.context.require_client()
        return [
            Genre(name=g.name, label=g.label, aliases=list(g.aliases), subgenres=list(g.subgenres))
            for g in list_genres()
        ]
