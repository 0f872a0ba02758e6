"""The per-request (or per-WebSocket) context every resolver receives.

``api`` builds it in ``get_context``; resolvers read services and the authenticated client from it and never
touch the request themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import strawberry

from services.clients.identities import Clients
from services.coaching.feedback import Feedback
from services.coaching.reports import Reports
from services.coaching.sessions import Sessions
from services.errors import Unauthenticated
from services.tracks.audio_links import AudioLinks
from services.tracks.library import Tracks
from services.tracks.versions import Versions


@dataclass(frozen=True)
class Services:
    """The use-case objects the app builds once; add a field here when a new area joins the schema."""

    clients: Clients
    tracks: Tracks
    sessions: Sessions
    feedback: Feedback
    audio_links: AudioLinks
    versions: Versions
    reports: Reports


@dataclass
class Context:
    services: Services
    request_id: str
    client_address: str
    client_id: int | None = None
    auth_error: Unauthenticated | None = None
    connection_params: dict[str, object] = field(default_factory=dict)

    def require_client(self) -> int:
        """The authenticated client id, or the UNAUTHENTICATED error that explains how to get one."""
        if self.client_id is None:
            raise self.auth_error or Unauthenticated(
                "Authentication required. Call the `createClient` mutation and send its token as "
                "`Authorization: Bearer <token>`."
            )
        return self.client_id


Info: TypeAlias = strawberry.Info[Context, None]
