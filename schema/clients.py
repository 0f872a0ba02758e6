"""``createClient``: the one operation that needs no credentials."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.ids import encode_id


@strawberry.type
class ClientCredentials:
    client_id: strawberry.ID
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`; it is shown only once.")


@strawberry.type
class ClientMutation:
    # Create an identity and its bearer token. Rate-limited per address.
    @strawberry.mutation
    async def create_client(self, info: Info) -> ClientCredentials:
        credentials = await info.context.services.clients.create(requester=info.context.client_address)
        return ClientCredentials(
            client_id=strawberry.ID(encode_id("Client", credentials.client.id)), token=credentials.token
        )
