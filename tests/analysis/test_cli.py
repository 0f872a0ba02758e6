"""``mixcoach analyze``: the readable report, the JSON output and clean errors (exit 2, no traceback)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from api.commands import analyze as command
from tests.fakes.audio import pink_noise, write_wav


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mixcoach")
    command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_cli_prints_report_with_key_figures_and_issues(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    y = pink_noise(sr=44100, seconds=8.0, rms_dbfs=-12.0, channels=2)
    y[:, 1] = -y[:, 0]
    assert _run(["analyze", str(write_wav(tmp_path / "a.wav", y, 44100))]) == 0
    out = capsys.readouterr().out
    for label in (
        "Integrated",
        "Loudness range",
        "True peak",
        "PLR",
        "Crest factor",
        "Stereo width",
        "Correlation",
        "Tempo",
        "Key",
        "Duration",
    ):
        assert label in out
    assert "out of phase from 0:" in out


def test_cli_json_has_the_contract_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_wav(tmp_path / "a.wav", pink_noise(sr=44100, seconds=5.0, channels=2), 44100)
    assert _run(["analyze", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {
        "integrated_lufs",
        "momentary_max_lufs",
        "short_term_max_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
    } <= set(data["loudness"])
    assert data["schema_version"] >= 1


def test_cli_reports_bad_input_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "junk.wav"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    assert _run(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mixcoach analyze: ") and "Traceback" not in err
