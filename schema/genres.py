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

    form: str = strawberry.field(
        description='Which section names the genre\'s structure can have: "song" (intro/verse/chorus/bridge/outro '
        'where sections repeat), "edm" (also "drop": a louder, bass-heavier section after a quieter one) or '
        '"through-composed" (orchestral, classical, ambient: parts and loud/quiet passages only).'
    )
    tonal_group: str = strawberry.field(
        description="The calibration group the band targets come from: the genre's own, or the group it borrows "
        "from when the corpus has too few tracks of it (see tonalSource)."
    )
    tonal_source: str = strawberry.field(description="Where the band targets come from, in words.")
    stereo_group: str = strawberry.field(
        description="The calibration group the width and correlation targets come from."
    )
    stereo_source: str = strawberry.field(description="Where the width and correlation targets come from, in words.")

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
            Genre(
                name=g.name,
                label=g.label,
                aliases=list(g.aliases),
                subgenres=list(g.subgenres),
                record=g,
                form=g.form,
                tonal_group=g.tonal.calibration,
                tonal_source=g.tonal.source,
                stereo_group=g.stereo.calibration,
                stereo_source=g.stereo.source,
            )
            for g in list_genres()
        ]
