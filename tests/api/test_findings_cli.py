"""``mixcoach findings``: the report in words and as JSON, on real files analysed end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from api.cli import main
from services.genres import match_genre
from tests.fakes.audio import write_wav
from tests.fakes.flaws import FLAWS, apply
from tests.fakes.music_like import music_like

SR = 44100


@pytest.fixture(scope="module")
def boomy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pop-shaped music with the sub boosted 12 dB (the first flaw of the matrix)."""
    y = music_like(dict(match_genre("pop").genre.targets.third_octave_centre_db), seconds=10.0, sr=SR)
    return write_wav(tmp_path_factory.mktemp("cli") / "boomy.wav", apply(y, SR, FLAWS[0]), SR, subtype="FLOAT")


def test_findings_cli_prints_the_root_cause_with_figures_and_range(
    boomy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["findings", str(boomy), "--genre", "pop", "--type", "mixdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Pop · mixdown")
    assert "Too much sub (20-60 Hz)" in out and "sub vs genre curve" in out and "dB (range" in out
    assert not re.search(r"Not enough (bass|low mids|mids|upper mids|presence|air)", out)  # one cause, no symptoms
    assert "for delivery" not in out  # only a master review has a verdict
    assert main(["findings", str(boomy), "--genre", "pop", "--type", "review"]) == 0
    assert re.search(r"^(Ready for delivery\.|Not ready for delivery: .+)$", capsys.readouterr().out, re.M)


def test_findings_cli_json_is_the_report(boomy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["findings", str(boomy), "--genre", "orchestral soundtrack", "--type", "review", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["genre"] == "cinematic" and report["stage"] == "MASTER_REVIEW"
    ids = [f["id"] for f in report["findings"]]
    assert ids and all({"id", "severity", "measured", "target", "evidence"} <= set(f) for f in report["findings"])
    blockers = report["verdict"]["blockers"]  # a master review has a verdict; each blocker names a finding
    assert isinstance(report["verdict"]["ready"], bool) and all(b["finding_id"] in ids for b in blockers)
    assert report["sections"] and all("loudness_lufs" in s and "side_to_mid_db" in s for s in report["sections"])


def test_findings_cli_with_a_reference_and_bad_input(
    boomy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    y, sr = sf.read(str(boomy), dtype="float64", always_2d=True)
    reference = write_wav(tmp_path / "ref.wav", y * 0.5, sr, subtype="FLOAT")
    assert main(["findings", str(boomy), "--reference", str(reference), "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["genre"] == "general" and plain["verdict"] is None  # a mixdown has no delivery verdict
    assert main(["findings", str(boomy), "--type", "loudest"]) == 2
    assert "MIXDOWN, MASTERING, MASTER_REVIEW" in capsys.readouterr().err
    (tmp_path / "junk.wav").write_bytes(b"not audio")
    assert main(["findings", str(tmp_path / "junk.wav")]) == 2


def test_findings_cli_puts_the_verdict_first_and_links_each_blocker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    y = music_like(dict(match_genre("pop").genre.targets.third_octave_centre_db), seconds=10.0, sr=SR)
    clipped = write_wav(tmp_path / "clipped.wav", np.clip(y / np.max(np.abs(y)) * 3.0, -1.0, 1.0), SR)
    assert main(["findings", str(clipped), "--genre", "pop", "--type", "master review"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].startswith("Not ready for delivery: ") and "Digital clipping" in out
    assert main(["findings", str(clipped), "--genre", "pop", "--type", "master review", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"]["ready"] is False
    ids = {f["id"] for f in report["findings"]}
    blockers = {b["finding_id"] for b in report["verdict"]["blockers"]}
    assert "clipping.clipped_samples" in blockers and blockers <= ids
    assert main(["findings", str(clipped), "--genre", "pop", "--type", "mixdown", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] is None  # a mixdown is not delivered
