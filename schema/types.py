"""GraphQL object types and their ``from_domain`` converters. Field resolvers here only follow links
(a session's track, its messages), each through one service call scoped to the authenticated client."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types.base import get_object_definition

from schema.analysis import TimeRange, TrackAnalysis, typed_analysis
from schema.context import Info
from schema.findings import Finding, FindingReport, Grounding, message_findings, message_grounding, track_findings
from schema.ids import encode_id, parse_global_id
from schema.listening import AudioLink, track_audio_link
from schema.reports import report_json, report_markdown
from schema.selections import MessagesAhead, message_columns
from schema.versions import VersionComparison, version_chain, version_comparison
from services import domain
from services.errors import NotFound

# The domain enums are the GraphQL enums (same names, same members); registering them here keeps one definition.
for _enum in (
    domain.TrackStatus,
    domain.FeedbackType,
    domain.FeedbackProfile,
    domain.MessageRole,
    domain.MessageKind,
    domain.MessageStatus,
):
    strawberry.enum(_enum)
TrackStatus = domain.TrackStatus
FeedbackType = domain.FeedbackType
FeedbackProfile = domain.FeedbackProfile


class _PageEdge(relay.Edge[Any]):
    """An edge of a service page: its cursor is read from the page's cursors only when asked for (a page may
    encode each as it is read, ``store.pages.EncodedCursors``). Otherwise the ``relay.Edge`` it extends."""

    _page_cursors: Sequence[str]  # plain attributes: the class is no Strawberry type of its own
    _at: int

    @property
    def cursor(self) -> str:  # type: ignore[override]
        return self._page_cursors[self._at]


def connection_of(page: domain.Page[Any], node: Any = None, *, nodes: Any = None) -> Any:
    """A Relay connection from a service page; ``node`` converts one domain record, or ``nodes`` the list."""
    converted = nodes(page.items) if nodes is not None else [node(item) for item in page.items]
    cursors = page.cursors
    if len(cursors) != len(converted):
        raise ValueError("a page has one cursor per item")
    edges: list[relay.Edge[Any]] = []
    for at, item in enumerate(converted):  # each edge's dict filled at once (one per item of a page)
        edge = object.__new__(_PageEdge)
        edge.__dict__ = {"node": item, "_page_cursors": cursors, "_at": at}
        edges.append(edge)
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


async def _resolve_owned(ids: Iterable[str], *, required: bool, load: Any) -> list[Any]:
    """Node lookup shared by the types: a missing or foreign node is ``None`` (or NOT_FOUND when required)."""
    found: list[Any] = []
    for node_id in ids:
        try:
            found.append(await load(int(node_id)))
        except (NotFound, ValueError):
            if required:
                raise NotFound("Node not found. Check the id.") from None
            found.append(None)
    return found


@strawberry.type
class Track(relay.Node):
    id: relay.NodeID[int]
    name: str
    original_filename: str
    content_hash: str
    size_bytes: int
    format: str | None
    duration_s: float | None
    sample_rate_hz: int | None
    channels: int | None
    status: domain.TrackStatus
    progress: float = strawberry.field(description="0..1 while ANALYZING, 1 when READY.")
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="1 for a first upload; 2, 3 ... for uploads with previousVersionId.")
    stored_analysis: strawberry.Private[dict[str, object] | None]
    previous_version_id: strawberry.Private[int | None]

    # The measurements, typed; null until READY.
    @strawberry.field
    def analysis(self) -> TrackAnalysis | None:
        return typed_analysis(self.stored_analysis)

    # The full stored analysis as JSON (snake_case keys, as in the analysis result).
    @strawberry.field
    def analysis_json(self) -> JSON | None:
        return cast(JSON, self.stored_analysis)

    # Findings for a genre and stage (free-text genre; unknown → general), loudness-matched against a reference.
    @strawberry.field
    async def findings(
        self, info: Info, genre: str | None = None, type: domain.FeedbackType = domain.FeedbackType.MIXDOWN,
        reference_track_id: strawberry.ID | None = None,
    ) -> FindingReport:  # fmt: skip
        return await track_findings(self.id, info, genre, type, reference_track_id)

    # A short-lived signed link to the audio (GET it with HTTP Range), for a player that cannot send a token.
    @strawberry.field
    async def audio_url(self, info: Info) -> AudioLink:
        return await track_audio_link(self.id, info)

    # The version this one was uploaded against (null for a first version, or once it is deleted).
    @strawberry.field
    async def previous_version(self, info: Info) -> Track | None:
        if self.previous_version_id is None:
            return None
        found = await Track.resolve_nodes(info=info, node_ids=[str(self.previous_version_id)])
        return found[0]

    # Every version of this song up to this one, oldest first (this track last).
    @strawberry.field
    async def versions(self, info: Info) -> list[Track]:
        return [Track.from_domain(t) for t in await version_chain(self.id, info)]

    # What changed since the previous version (or previousTrackId), judged at one genre and stage; null for v1.
    @strawberry.field
    async def version_comparison(
        self, info: Info, genre: str | None = None, type: domain.FeedbackType = domain.FeedbackType.MIXDOWN,
        previous_track_id: strawberry.ID | None = None,
    ) -> VersionComparison | None:  # fmt: skip
        return await version_comparison(self.id, info, genre=genre, stage=type, previous_track_id=previous_track_id)

    @classmethod
    def from_domain(cls, track: domain.Track) -> Track:
        return cls(
            id=track.id,
            name=track.name,
            original_filename=track.original_filename,
            content_hash=track.content_hash,
            size_bytes=track.size_bytes,
            format=track.format,
            duration_s=track.duration_s,
            sample_rate_hz=track.sample_rate_hz,
            channels=track.channels,
            status=track.status,
            progress=track.progress,
            error_code=track.error_code,
            error_message=track.error_message,
            created_at=track.created_at,
            updated_at=track.updated_at,
            version=track.version,
            stored_analysis=track.analysis,
            previous_version_id=track.previous_version_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Track | None]:
        owner_id = info.context.require_client()
        tracks = info.context.services.tracks

        async def load(pk: int) -> Track:
            return cls.from_domain(await tracks.get(owner_id=owner_id, track_id=pk))

        return await _resolve_owned(node_ids, required=required, load=load)


@strawberry.type
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int | None
    time_to_first_token_ms: int | None


@strawberry.type(description="One lookup over the measurements made while answering (what a client can show).")
class ToolCall:
    name: str = strawberry.field(description="span_figures, band_over_time, section_figures, ... (see README).")
    arguments: JSON
    result: JSON = strawberry.field(description="The figures returned, units in the keys; or {error}.")


def _usage(usage: domain.Usage) -> Usage:
    """What ``Usage(...)`` builds, its dict filled at once (one per message of a page)."""
    built = object.__new__(Usage)
    built.__dict__ = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "latency_ms": usage.latency_ms,
        "time_to_first_token_ms": usage.time_to_first_token_ms,
    }
    return built


@strawberry.type
class Message(relay.Node):
    id: relay.NodeID[int]
    session_id: strawberry.ID
    role: domain.MessageRole
    kind: domain.MessageKind
    status: domain.MessageStatus
    content: str
    followup_group: strawberry.ID | None = strawberry.field(
        description="The id of the FEEDBACK message that opened this thread."
    )
    feedback_type: domain.FeedbackType | None
    profile: domain.FeedbackProfile | None
    genre: str | None
    engine: str | None
    model: str | None
    usage: Usage
    error_code: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    time_range: TimeRange | None = strawberry.field(
        description="On a USER follow-up: the stretch of the track the question is about, when one was sent."
    )
    tool_calls: list[ToolCall] = strawberry.field(
        description="On an answer: the lookups over the measurements it was written from, in order."
    )
    record: strawberry.Private[domain.Message]

    # On FEEDBACK messages: the findings the answer was written from.
    @strawberry.field
    def findings(self) -> list[Finding] | None:
        return message_findings(self.record)

    # Which numbers in the answer trace to the analysis, findings or targets, and which do not.
    @strawberry.field
    def grounding(self) -> Grounding | None:
        return message_grounding(self.record)

    @classmethod
    def from_domain(cls, message: domain.Message) -> Message:
        """Built by filling the instance's fields in one step, as ``store.message_columns`` builds the record: the
        dataclass ``__init__`` setting 21 fields one at a time was a fifteenth of a session read's CPU. The result
        is the same object ``__init__`` gives (every field present, nothing else)."""
        return cls.page_from_domain([message])[0]

    @classmethod
    def page_from_domain(cls, messages: list[domain.Message]) -> list[Message]:
        """``from_domain`` of each message. Each starts from a copy of the record's own fields (one C-level copy;
        most carry over as they are), drops those this type does not show and converts the rest: half the time of
        writing out all 20. What neighbouring messages share is converted once: the session's global id, and the
        ``Usage`` of one domain ``Usage`` object (a page read without the usage columns holds one placeholder for
        all). Nothing writes to these objects after they are built."""
        built: list[Message] = []
        session_pk: int | None = None
        session_id = ""
        record_usage: domain.Usage | None = None
        usage: Usage | None = None
        for message in messages:
            fields = message.__dict__.copy()
            for name in _RECORD_ONLY:
                del fields[name]
            if fields["session_id"] != session_pk or session_pk is None:
                session_pk = fields["session_id"]
                session_id = encode_id("Session", fields["session_id"])
            if fields["usage"] is not record_usage or usage is None:
                record_usage = fields["usage"]
                usage = _usage(fields["usage"])
            group = fields["followup_group"]
            span = fields["time_range"]
            calls = fields["tool_calls"]
            fields["session_id"] = session_id  # ``strawberry.ID`` is ``str`` at run time
            fields["followup_group"] = encode_id("Message", group) if group else None
            fields["usage"] = usage
            fields["time_range"] = None if span is None else TimeRange(start_s=span.start_s, end_s=span.end_s)
            fields["tool_calls"] = (
                [ToolCall(name=c.name, arguments=cast(JSON, c.arguments), result=cast(JSON, c.result)) for c in calls]
                if calls
                else []
            )
            fields["record"] = message
            node = object.__new__(cls)
            node.__dict__ = fields  # the instance takes this dict as its own (no copy)
            built.append(node)
        return built

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Message | None]:
        owner_id = info.context.require_client()
        sessions = info.context.services.sessions

        async def load(pk: int) -> Message:
            return cls.from_domain(await sessions.message(owner_id=owner_id, message_id=pk))

        return await _resolve_owned(node_ids, required=required, load=load)


_RECORD_ONLY = tuple(
    name
    for name in (f.name for f in dataclass_fields(domain.Message))
    if name
    not in {f.python_name for f in get_object_definition(Message, strict=True).fields if f.base_resolver is None}
)
"""The record's fields that ``Message`` does not hold as attributes (its thread's ids, findings and grounding,
which resolvers read from ``record``): ``Message._built`` drops them from its copy of the record's fields."""


@strawberry.type
class Session(relay.Node):
    id: relay.NodeID[int]
    title: str
    genre: str
    created_at: datetime
    updated_at: datetime
    # The stage and profile last chosen for this session (null until one was); restore them with the genre.
    stage: domain.FeedbackType | None
    profile: domain.FeedbackProfile | None
    track_id: strawberry.Private[int]
    reference_track_id: strawberry.Private[int | None]
    record: strawberry.Private[domain.Session]
    # The page of ``messages`` read with the session (``SessionQuery.session``), for the selection it answers.
    messages_read: strawberry.Private[tuple[MessagesAhead, domain.Page[domain.Message]] | None] = None

    @strawberry.field
    async def track(self, info: Info) -> Track:
        owner_id = info.context.require_client()
        return Track.from_domain(await info.context.services.sessions.track(owner_id=owner_id, track_id=self.track_id))

    @strawberry.field
    async def reference_track(self, info: Info) -> Track | None:
        if self.reference_track_id is None:
            return None
        owner_id = info.context.require_client()
        track = await info.context.services.sessions.track(owner_id=owner_id, track_id=self.reference_track_id)
        return Track.from_domain(track)

    # Follow-up questions worth asking next, from the latest feedback's findings; never one already asked here.
    @strawberry.field
    async def suggested_questions(self, info: Info) -> list[str]:
        owner_id = info.context.require_client()
        return await info.context.services.sessions.suggested_questions(owner_id=owner_id, session_id=self.id)

    # Oldest first.
    @strawberry.field
    async def messages(self, info: Info, first: int = 50, after: str | None = None) -> relay.Connection[Message]:
        owner_id = info.context.require_client()
        read = self.messages_read
        if read is not None and read[0].answers(info, first=first, after=after):
            return connection_of(read[1], nodes=Message.page_from_domain)  # type: ignore[no-any-return]
        page = await info.context.services.sessions.messages_of(
            owner_id=owner_id, session=self.record, first=first, after=after, columns=message_columns(info)
        )
        return connection_of(page, nodes=Message.page_from_domain)  # type: ignore[no-any-return]

    # The session exported: track figures, findings and verdict (at its latest feedback's stage), conversation.
    @strawberry.field
    async def report_json(self, info: Info) -> JSON:
        return await report_json(self.id, info)

    # The same report as Markdown (the page's "Export Markdown"; print the page for PDF).
    @strawberry.field
    async def report_markdown(self, info: Info) -> str:
        return await report_markdown(self.id, info)

    @classmethod
    def from_domain(cls, session: domain.Session) -> Session:
        return cls(
            id=session.id,
            title=session.title,
            genre=session.genre,
            created_at=session.created_at,
            updated_at=session.updated_at,
            stage=session.stage,
            profile=session.profile,
            track_id=session.track_id,
            reference_track_id=session.reference_track_id,
            record=session,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Session | None]:
        owner_id = info.context.require_client()
        sessions = info.context.services.sessions

        async def load(pk: int) -> Session:
            return cls.from_domain(await sessions.get(owner_id=owner_id, session_id=pk))

        return await _resolve_owned(node_ids, required=required, load=load)


async def resolve_node(info: Info, global_id: str) -> relay.Node:
    """``Query.node``: one of the caller's tracks, sessions or messages; NOT_FOUND for anything else."""
    parsed = parse_global_id(global_id)
    kinds: dict[str, type[Track] | type[Session] | type[Message]] = {
        "Track": Track,
        "Session": Session,
        "Message": Message,
    }
    kind = kinds.get(parsed[0]) if parsed is not None else None
    if parsed is None or kind is None:
        info.context.require_client()
        raise NotFound("Node not found. Check the id: pass an `id` exactly as the API returned it.")
    found = await kind.resolve_nodes(info=info, node_ids=[str(parsed[1])], required=True)
    node = found[0]
    if node is None:  # required=True raises instead; kept for the type checker
        raise NotFound("Node not found. Check the id.")
    return node
