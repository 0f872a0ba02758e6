from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from tests.api.audio_files import sine_wav
from tests.fakes.llm_fixtures import require_loopback
from tests.fakes.openai_server import FakeOpenAIServer, Reply


@pytest.fixture
def mix(tmp_path: Path) -> Path:
    path = tmp_path / "mix.wav"
    path.write_bytes(sine_wav(seconds=12.0, freq_hz=80.0, amplitude=0.99))
    return path


def test_feedback_cli_builtin_streams_grounded_feedback(mix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "feedback",
            str(mix),
            "--genre",
            "Hip Hop",
            "--type",
            "master review",
            "--profile",
            "pro",
            "--engine",
            "builtin",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("Verdict: ") and "\n1. " in out and "Move:" in out and "Check:" in out
    assert "builtin · mixcoach-builtin-1 · Hip-Hop · MASTER_REVIEW · PRO" in err and "untraced: none" in err


def test_feedback_cli_openai_engine_through_the_fake_server(mix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeOpenAIServer().start()
    try:
        require_loopback(fake.url)
        fake.push(Reply(text="1. Clipping.\n   Fix: trim 0.6 dB."))
        code = main(
            [
                "feedback",
                str(mix),
                "--type",
                "mastering",
                "--profile",
                "simple",
                "--engine",
                "openai",
                "--base-url",
                fake.url,
                "--model",
                "local-llama",
            ]
        )
    finally:
        fake.stop()
    out, err = capsys.readouterr()
    assert code == 0 and out == "1. Clipping.\n   Fix: trim 0.6 dB.\n"
    assert fake.requests[0]["model"] == "local-llama" and fake.requests[0]["stream"] is True
    assert "openai · local-llama" in err


def test_feedback_cli_model_failure_exits_3_with_the_reason(mix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeOpenAIServer().start()
    try:
        fake.push(*[Reply(status=503)] * 5)
        code = main(["feedback", str(mix), "--engine", "openai", "--base-url", fake.url])
    finally:
        fake.stop()
    _, err = capsys.readouterr()
    assert code == 3 and "HTTP 503" in err and "LLM_UNAVAILABLE" in err


@pytest.mark.parametrize(
    ("flag", "value", "allowed"),
    [("--type", "loud", "MIXDOWN, MASTERING, MASTER_REVIEW"), ("--profile", "wizard", "SIMPLE, DETAILED, PRO")],
)
def test_feedback_cli_bad_options_list_allowed_values(
    mix: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, allowed: str
) -> None:
    assert main(["feedback", str(mix), flag, value, "--engine", "builtin"]) == 2
    assert allowed in capsys.readouterr().err
