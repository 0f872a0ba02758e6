"""The delivery verdict over the API: set on a master review only, and every blocker names one of its findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.graphql_client import gql, new_token

REPORT = """query($id: ID!, $type: FeedbackType!) { track(id: $id) { findings(genre: "pop", type: $type) {
  verdict { ready blockers { findingId reason } }
  findings { id severity timeRanges { startS endS } eventCount moreSpans } } } }"""


async def test_master_review_has_a_verdict_linked_to_its_findings(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token)  # a sine cut off mid-waveform: it clicks at the end
        body = await gql(http, REPORT, {"id": track_id, "type": "MASTER_REVIEW"}, token=token)
        assert "errors" not in body, body
        report = body["data"]["track"]["findings"]
        verdict = report["verdict"]
        ids = {f["id"] for f in report["findings"]}
        assert verdict["ready"] is False
        assert "qc.tail_click" in {b["findingId"] for b in verdict["blockers"]}
        assert all(b["findingId"] in ids and b["reason"] for b in verdict["blockers"])
        assert all(f["moreSpans"] >= 0 for f in report["findings"])
        mix = await gql(http, REPORT, {"id": track_id, "type": "MIXDOWN"}, token=token)
        assert mix["data"]["track"]["findings"]["verdict"] is None


SECTIONS = """query($id: ID!, $genre: String!) { track(id: $id) {
  analysis { sections { label startS endS } }
  findings(genre: $genre, type: MIXDOWN) { genre { genre }
    sections { index label startS endS loudnessLufs sideToMidDb correlation bandLevelsDb { band value } } } } }"""


async def test_a_findings_report_carries_the_sections_with_their_figures_labelled_for_the_genre(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token)
        for genre in ("orchestral soundtrack", "techno", "pop"):
            body = await gql(http, SECTIONS, {"id": track_id, "genre": genre}, token=token)
            assert "errors" not in body, body
            track = body["data"]["track"]
            sections = track["findings"]["sections"]
            assert [(s["startS"], s["endS"]) for s in sections] == [
                (s["startS"], s["endS"]) for s in track["analysis"]["sections"]
            ]
            for s in sections:
                assert s["label"] and s["loudnessLufs"] is not None and len(s["bandLevelsDb"]) == 7
            if track["findings"]["genre"]["genre"] == "cinematic":
                assert not {"chorus", "verse", "drop"} & {s["label"] for s in sections}
