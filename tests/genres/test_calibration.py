"""The calibration data keeps its provenance, covers enough real music, and never touches the hold-outs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench.calibrate import corpus, fetch
from services.genres import get_genre, list_genres

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = json.loads((ROOT / "services/genres/calibration.json").read_text(encoding="utf-8"))
MANIFEST = ROOT / "bench/calibrate/MANIFEST.tsv"


def test_calibration_has_provenance_and_enough_tracks_and_genres() -> None:
    assert CALIBRATION["percentiles"] == [10, 50, 90] and "make calibrate" in CALIBRATION["about"]
    groups = {k: v for k, v in CALIBRATION["groups"].items() if k != "general"}
    assert len(groups) >= 8 and CALIBRATION["corpus"]["tracks"] >= 150
    assert sum(g["tracks"] for g in groups.values()) == CALIBRATION["groups"]["general"]["tracks"]
    for name, group in groups.items():
        assert get_genre(name).name == name  # every corpus genre is a catalogue genre judged on its own curve
        assert get_genre(name).tonal.calibration == name and sum(group["packages"].values()) == group["tracks"]


def test_manifest_lists_every_used_track_with_its_package_version() -> None:
    with MANIFEST.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    used = [r for r in rows if r["used"] == "yes"]
    assert len(used) == CALIBRATION["corpus"]["tracks"]
    assert all(r["version"] == CALIBRATION["corpus"]["packages"][r["package"]] for r in rows)


@pytest.mark.parametrize("package", ["wesnoth-1.16-music", "wesnoth-music", "immich-memories-music"])
def test_hold_out_packages_are_refused_and_not_in_the_corpus(package: str) -> None:
    with pytest.raises(SystemExit, match="hold-out"):
        fetch.fetch(Path("/nonexistent"), [package])
    packages = corpus.load()["packages"]
    assert isinstance(packages, dict) and not any(h in p for p in packages for h in fetch.HOLD_OUT)
    assert not any(h in p for p in CALIBRATION["corpus"]["packages"] for h in fetch.HOLD_OUT)


def test_every_catalogue_genre_names_an_existing_calibration_group() -> None:
    for genre in list_genres(include_general=True):
        assert genre.tonal.calibration in CALIBRATION["groups"]
