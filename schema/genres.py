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

    @strawberry.field(
        description='Which section names the genre\'s structure can have: "song" (intro/verse/chorus/bridge/outro '
        'where sections repeat), "edm" (also "drop": a louder, bass-heavier section after a quieter one) or '
        '"through-composed" (orchestral, classical, ambient: parts and loud/quiet passages only).'
    )
    def form(self) -> str:
        return self.record.form

    @strawberry.field(
        description="The calibration group the band targets come from: the genre's own, or the group it borrows "
        "from when the corpus has too few tracks of it (see tonalSource)."
    )
    def tonal_group(self) -> str:
        return self.record.tonal.calibration

    @strawberry.field(description="Where the band targets come from, in words (tracks, group, widening).")
    def tonal_source(self) -> str:
        return self.record.tonal.source

    @strawberry.field(description="The calibration group the width and correlation targets come from.")
    def stereo_group(self) -> str:
        return self.record.stereo.calibration

    @strawberry.field(description="Where the width and correlation targets come from, in words.")
    def stereo_source(self) -> str:
        return self.record.stereo.source

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
