"""``Session.reportJson`` and ``Session.reportMarkdown``: the session exported (figures, findings, verdict,
conversation), for the page's export buttons and for scripts."""

from __future__ import annotations

from typing import cast

from strawberry.scalars import JSON

from schema.context import Info


async def report_json(session_id: int, info: Info) -> JSON:
    owner_id = info.context.require_client()
    return cast(JSON, await info.context.services.reports.json(owner_id=owner_id, session_id=session_id))


async def report_markdown(session_id: int, info: Info) -> str:
    owner_id = info.context.require_client()
    return await info.context.services.reports.markdown(owner_id=owner_id, session_id=session_id)
