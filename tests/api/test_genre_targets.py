"""Genre targets over the API: the figures of genres.json come through, the stage adjusts them, and the targets a
findings report carries are exactly the ranges its findings were judged against."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from services.genres import get_genre
from tests.api.ready_track import ready_track
from tests.graphql_client import gql, new_token

GENRES_JSON = Path(__file__).resolve().parents[2] / "services" / "genres" / "genres.json"
CALIBRATION_JSON = GENRES_JSON.with_name("calibration.json")
STEREO_JSON = GENRES_JSON.with_name("stereo_calibration.json")
RANGE = "{ low high unit }"
TARGETS = f"""genre type note truePeakMaxDbtp samplePeakDbfs {RANGE}
  integratedLufs {RANGE} plrDb {RANGE} loudnessRangeLu {RANGE} sideToMidDb {RANGE} correlation {RANGE}
  lowEndWidthPct {RANGE}
  lowEndCorrelation {RANGE} onsetRatePerS {RANGE}
  bandLevelsDb {{ band label lowHz highHz low high unit centre balanceLow balanceHigh curveLow curveHigh }}"""
GENRES = f"""query($type: FeedbackType!) {{ genres {{ name form tonalGroup tonalSource stereoGroup stereoSource
  mix: targets {{ {TARGETS} }}
  staged: targets(type: $type) {{ {TARGETS} }} }} }}"""


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GENRES_JSON.read_text(encoding="utf-8"))
    return data


def _raw(name: str) -> dict[str, Any]:
    return next(g["targets"] for g in _data()["genres"] if g["name"] == name)


def _calibrated(name: str) -> tuple[dict[str, Any], float]:
    """The calibration group a genre's bands come from (calibration.json) and how much genres.json widens it."""
    tonal = next(g["tonal"] for g in _data()["genres"] if g["name"] == name)
    groups: dict[str, Any] = json.loads(CALIBRATION_JSON.read_text(encoding="utf-8"))["groups"]
    return groups[tonal["calibration"]], float(tonal.get("widen_db", 0.0))


def _stereo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STEREO_JSON.read_text(encoding="utf-8"))
    return data


def _pair(rng: dict[str, Any]) -> list[float | None]:
    return [rng["low"], rng["high"]]


async def _genres(http: httpx.AsyncClient, token: str, stage: str) -> dict[str, dict[str, Any]]:
    body = await gql(http, GENRES, {"type": stage}, token=token)
    assert "errors" not in body, body
    return {g["name"]: g for g in body["data"]["genres"]}


async def test_genre_targets_carry_the_data_file_and_stage_rules(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    stages = _data()["stages"]
    mastering = await _genres(http, token, "MASTERING")
    assert len(mastering) == len(_data()["genres"]) - 1  # every genre but the "general" fallback
    for name, genre in mastering.items():
        raw, mix, master = _raw(name), genre["mix"], genre["staged"]
        assert mix["type"] == "MIXDOWN" and master["type"] == "MASTERING" and master["genre"] == name
        # Mastering uses the genre's master figures as they stand in genres.json.
        assert _pair(master["integratedLufs"]) == raw["integrated_lufs"] and master["integratedLufs"]["unit"] == "LUFS"
        assert _pair(master["plrDb"]) == raw["plr_db"] and _pair(master["loudnessRangeLu"]) == raw["loudness_range_lu"]
        for key, field in [("low_end_correlation", "lowEndCorrelation")]:
            assert _pair(master[field]) == raw[key] and _pair(mix[field]) == raw[key]
        # Width and correlation: the calibrated stereo group's p10-p90 side-to-mid level, and the correlation floor
        # its wide end implies (bench/calibrate/stereo.py), the same at every stage.
        group = _stereo()["groups"][genre["stereoGroup"]]
        for staged in (mix, master):
            side = staged["sideToMidDb"]
            assert side["unit"] == "dB" and [side["low"], side["high"]] == [group["side_to_mid_db"][0],
                                                                         group["side_to_mid_db"][2]]  # fmt: skip
            w = 10 ** (side["high"] / 10)
            assert staged["correlation"]["low"] == pytest.approx((1 - w) / (1 + w), abs=0.006)
            assert staged["correlation"]["high"] == 1.0
        assert _pair(master["onsetRatePerS"]) == raw["onset_rate_per_s"] and master["onsetRatePerS"]["unit"] == "/s"
        assert master["truePeakMaxDbtp"] == stages["MASTERING"]["true_peak_max_dbtp"]
        assert master["samplePeakDbfs"] is None
        # A mixdown: the stage's own loudness window, PLR and LRA shifted up, sample-peak headroom to leave.
        assert _pair(mix["integratedLufs"]) == stages["MIXDOWN"]["integrated_lufs"]
        plr_shift, lra_shift = stages["MIXDOWN"]["plr_offset_db"], stages["MIXDOWN"]["loudness_range_offset_lu"]
        assert _pair(mix["plrDb"]) == [v + plr_shift for v in raw["plr_db"]]
        assert _pair(mix["loudnessRangeLu"]) == [v + lra_shift for v in raw["loudness_range_lu"]]
        assert _pair(mix["samplePeakDbfs"]) == stages["MIXDOWN"]["sample_peak_dbfs"] and mix["truePeakMaxDbtp"] is None
        # Every band, low to high, in the dB-relative-to-total units the findings compare against.
        for staged in (mix, master):
            bands = staged["bandLevelsDb"]
            group, widen = _calibrated(name)
            assert {b["band"]: [b["low"], b["high"]] for b in bands} == {
                k: [round(v[0] - widen, 1), round(v[2] + widen, 1)] for k, v in group["band_levels_db"].items()
            }
            assert {b["band"]: [b["balanceLow"], b["balanceHigh"]] for b in bands} == {
                k: [round(v[0] - widen, 1), round(v[1] + widen, 1)] for k, v in group["band_balance_db"].items()
            }
            assert {b["band"]: b["centre"] for b in bands} == {k: v[1] for k, v in group["band_levels_db"].items()}
            assert {b["band"]: [b["curveLow"], b["curveHigh"]] for b in bands} == {
                k: [round(v[0] - widen, 1), round(v[1] + widen, 1)] for k, v in group["band_curve_db"].items()
            }
            assert [b["lowHz"] for b in bands] == sorted(b["lowHz"] for b in bands)
            assert all(b["unit"] == "dB" and b["lowHz"] < b["highHz"] for b in bands)
    assert _pair(mastering["techno"]["staged"]["integratedLufs"]) != _pair(
        mastering["jazz"]["staged"]["integratedLufs"]
    )


FINDINGS = f"""query($id: ID!, $g: String, $type: FeedbackType!) {{ track(id: $id) {{
  findings(genre: $g, type: $type) {{
    genre {{ genre }} targets {{ {TARGETS} }} findings {{ id detail target {RANGE} evidence }} }}
}} }}"""


async def test_genre_targets_on_findings_match_the_findings(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token)
        for stage in ("MIXDOWN", "MASTERING"):
            body = await gql(http, FINDINGS, {"id": track_id, "g": "drum n bass", "type": stage}, token=token)
            report = body["data"]["track"]["findings"]
            targets = report["targets"]
            assert report["genre"]["genre"] == targets["genre"] == "drum-and-bass" and targets["type"] == stage
            bands = {
                b["band"]: {"low": b["curveLow"], "high": b["curveHigh"], "unit": b["unit"]}
                for b in targets["bandLevelsDb"]
            }
            dnb = get_genre("drum-and-bass").targets
            assert set(bands) == set(dnb.band_curve_db)
            tonal = [f for f in report["findings"] if f["id"].startswith("tonal.") and "resonance" not in f["id"]]
            assert tonal, "a 60 Hz sine is far from any genre's band balance"
            shapes = [{"low": r.low, "high": r.high, "unit": r.unit} for r in dnb.third_octave_shape_db.values()]
            for finding in tonal:
                band = finding["evidence"][0].removeprefix("spectrum.band_levels_db.")
                # a local bump or dip is judged against the genre's range for its 1/3 octave, not the band's
                expected = shapes if "its own trend" in finding["detail"] else [bands[band]]
                assert finding["target"] in expected, finding["id"]
            loudness = [f for f in report["findings"] if f["id"].startswith("loudness.") and f["target"]]
            for finding in loudness:
                if finding["target"]["unit"] == "LUFS":
                    assert finding["target"] == targets["integratedLufs"]


async def test_every_genre_says_which_calibrated_group_its_targets_come_from(http: httpx.AsyncClient) -> None:
    """A genre the corpus cannot support borrows a parent group, and the API says which (issue 9, sub-genres)."""
    token = await new_token(http)
    genres = await _genres(http, token, "MASTERING")
    calibrated = set(json.loads(CALIBRATION_JSON.read_text(encoding="utf-8"))["groups"])
    for name, genre in genres.items():
        raw = next(g for g in _data()["genres"] if g["name"] == name)
        assert genre["form"] == raw["form"] and genre["tonalGroup"] == raw["tonal"]["calibration"] in calibrated
        assert genre["stereoGroup"] in _stereo()["groups"]
        own = genre["tonalGroup"] == name
        assert (
            ("borrow" not in genre["tonalSource"] and "no " not in genre["tonalSource"])
            if own
            else (genre["tonalGroup"] in genre["tonalSource"])
        )
        assert (genre["stereoGroup"] in genre["stereoSource"]) and (
            ("borrowed" in genre["stereoSource"]) != (genre["stereoGroup"] == name)
        )
    # sub-genres with their own corpus groups get their own curves; the rest name their parent
    assert genres["chiptune"]["tonalGroup"] == "chiptune" and genres["techno"]["tonalGroup"] == "techno"
    assert genres["house"]["tonalGroup"] == "electronic" and "electronic" in genres["house"]["tonalSource"]
    assert genres["cinematic"]["form"] == "through-composed" and genres["techno"]["form"] == "edm"
