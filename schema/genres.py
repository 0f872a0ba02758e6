"""The genre catalogue, for pickers and for free-text genre hints, with each genre's stage-adjusted targets."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.targets import GenreTargets
from services import domain
from services import genres as catalog
from services.genres import list_genres


@strawberry.type
class Genre:
    name: str
    label: str
    aliases: list[str]
    subgenres: list[str]
    record: strawberry.Private[catalog.Genre]

    # The ranges the findings use for this genre at the given stage (band balance, loudness, dynamics, stereo).
    @strawberry.field
    def targets(self, type: domain.FeedbackType = domain.FeedbackType.MIXDOWN) -> GenreTargets:
        return GenreTargets.for_genre(self.record, type)


@strawberry.type
class GenreQuery:
    # Genres the feedback knows, with the aliases and subgenres it recognises.
    @strawberry.field
    def genres(self, info: Info) -> list[Genre]:
        info.context.require_client()
        return [
            Genre(name=g.name, label=g.label, aliases=list(g.aliases), subgenres=list(g.subgenres), record=g)
            for g in list_genres()
        ]
