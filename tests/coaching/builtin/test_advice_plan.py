"""Issue 10's acceptance for the offline engine's advice: the first move per flaw, stage rules everywhere, no
contradictions, no empty values, reference first."""

from __future__ import annotations

import re

import pytest

from services.analysis.result import Analysis
from services.coaching.builtin.plan import first_move, moves
from services.coaching.builtin.voices import CLIP_GUARD, write_feedback
from services.coaching.grounding import ground
from services.coaching.prompts import Facts
from services.diagnosis import FindingReport, diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.advice_cases import CASES, EMPTY, MASTER_BANNED, MIX_BANNED, Case, corpus
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix, typical_analysis


def _report(case: Case) -> tuple[Analysis, FindingReport]:
    analysis = case.analysis()
    return analysis, diagnose(analysis, genre=match_genre("pop"), stage=case.stage)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("profile", list(FeedbackProfile))
def test_first_move_is_right_for_each_flaw(case: Case, profile: FeedbackProfile) -> None:
    analysis, report = _report(case)
    move = first_move(report)
    assert move is not None
    text = move.recipe.voice[profile].lower()
    assert all(word.lower() in text for word in case.expect), (case.name, text)
    assert not any(word in text for word in case.never), (case.name, text)
    answer = write_feedback(Facts(analysis=analysis, report=report, profile=profile))
    assert move.recipe.voice[profile] in answer


def test_first_moves_point_the_right_way() -> None:
    by_name = {c.name: first_move(_report(c)[1]) for c in CASES}
    sub, harsh, boomy = by_name["sub +12 dB"], by_name["harsh 2-5 kHz +8 dB"], by_name["boomy 200-300 Hz +8 dB"]
    assert sub is not None and sub.recipe.subject == "band:sub" and sub.recipe.direction == "cut"
    assert harsh is not None and harsh.recipe.subject in ("band:high_mid", "band:presence")
    assert harsh.recipe.direction == "cut" and "3.0 kHz" in harsh.recipe.voice[FeedbackProfile.PRO]
    assert (
        boomy is not None and boomy.recipe.direction == "cut" and "@ 300 Hz" in boomy.recipe.voice[FeedbackProfile.PRO]
    )
    quiet_mix, quiet_master = by_name["-30 LUFS mixdown"], by_name["-30 LUFS at master review"]
    assert quiet_mix is not None and quiet_mix.recipe.ok and quiet_mix.recipe.direction == "keep"
    assert quiet_master is not None and quiet_master.recipe.direction == "up"
    assert quiet_master.recipe.subject == "limiter_input"
    polarity = by_name["flipped polarity below 150 Hz"]
    assert polarity is not None and polarity.recipe.subject == "polarity"


def _analyses() -> list[Analysis]:
    extra = [
        make_analysis({"loudness.integrated_lufs": -6.0, "loudness.true_peak_dbtp": 0.8, "dynamics.plr_db": 5.0}),
        make_analysis({"spectrum.band_levels_db": band_levels(air=-30.0, presence=-30.0), "stereo.width_pct": 70.0,
                       "stereo.side_to_mid_db": 1.0, "qc.likely_lossy": True, "qc.lossy_cutoff_hz": 16000.0}),
    ]  # fmt: skip
    return [c.analysis() for c in CASES] + [problem_mix(), typical_analysis(), *extra]


@pytest.mark.parametrize("stage", list(FeedbackType))
@pytest.mark.parametrize("profile", list(FeedbackProfile))
def test_stage_rules_hold_everywhere(stage: FeedbackType, profile: FeedbackProfile) -> None:
    for analysis in _analyses():
        report = diagnose(analysis, genre=match_genre("hip hop"), stage=stage)
        text = write_feedback(Facts(analysis=analysis, report=report, profile=profile))
        body = "\n".join(line for line in text.splitlines() if line.lstrip().startswith(("Move:", "What to do:")))
        if stage is FeedbackType.MIXDOWN:
            assert not MIX_BANNED.search(body), body
            assert "turn the master down" not in text.lower()
        else:
            assert not MASTER_BANNED.search(body), body
            assert "take the limiter off" not in text.lower()
        assert not EMPTY.search(text), text
        plan = moves(report, stage)
        subjects = [m.recipe.subject for m in plan]
        assert len(subjects) == len(set(subjects))
        assert len(re.findall(r"^\d+\. ", text.split("Optional polish")[0], re.M)) <= 3
        grounding = ground(text, analysis=analysis, report=report)
        assert grounding.fully_grounded, (grounding.untraced, grounding.contradictions, text)


def test_no_bus_limiter_removal_next_to_a_ceiling() -> None:
    report = diagnose(problem_mix(), genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    text = write_feedback(Facts(analysis=problem_mix(), report=report, profile=FeedbackProfile.DETAILED))
    move_lines = [line for line in text.splitlines() if line.lstrip().startswith("Move:")]
    assert "Bypass the limiter" in text and not any("ceiling" in line for line in move_lines)
    amounts = re.findall(r"fader down by about ([\d.]+) dB", text)
    assert len(set(amounts)) <= 1


def test_a_clipped_master_is_remastered_before_any_polish() -> None:
    case = next(c for c in CASES if c.name == "clipped master")
    analysis = make_analysis({**case.overrides, "spectrum.band_levels_db": band_levels(air=-32.0)})
    report = diagnose(analysis, genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW)
    text = write_feedback(Facts(analysis=analysis, report=report, profile=FeedbackProfile.DETAILED))
    assert text.startswith("Verdict: not ready to release. Blocking: Digital clipping")
    assert text.index("unclipped mix") < text.index("Optional polish") < text.index("boost")


def test_reference_outranks_genre_targets_and_shows_its_own_figures() -> None:
    track = make_analysis({"spectrum.band_levels_db": band_levels(presence=-30.0, air=-30.0)})
    close = {"mid": -8.5 + 1.2, "high_mid": -16.5 - 1.3, "presence": -30.0 + 1.3, "air": -30.0 + 0.8}
    reference = make_analysis({"spectrum.band_levels_db": band_levels(**close), "loudness.true_peak_dbtp": -0.4})
    genre_only = diagnose(track, genre=match_genre("pop"), stage=FeedbackType.MASTERING)
    assert any(f.id.endswith("_light") for f in genre_only.findings)  # the genre alone asks for boosts
    report = diagnose(track, genre=match_genre("pop"), stage=FeedbackType.MASTERING, reference=reference)
    assert report.reference is not None and report.reference.reference_true_peak_dbtp == -0.4
    assert report.reference.reference_integrated_lufs == -9.0
    facts = Facts(analysis=track, report=report, profile=FeedbackProfile.PRO, reference=reference)
    text = write_feedback(facts)
    assert "boost" not in text.lower() and "+" not in text.split("Reference:")[0]
    assert "Reference: -9.0 LUFS, -0.4 dBTP; yours: -9.0 LUFS, -1.2 dBTP" in text
    assert ground(text, analysis=track, report=report, reference=reference).fully_grounded


def test_a_boost_near_full_scale_says_to_trim_after() -> None:
    track, reference = corpus()["against a reference"]
    report = diagnose(track, genre=match_genre("pop"), stage=FeedbackType.MASTERING, reference=reference)
    text = write_feedback(Facts(analysis=track, report=report, profile=FeedbackProfile.PRO, reference=reference))
    boost = next(line for line in text.splitlines() if "Boost the sub" in line)
    assert boost.endswith(CLIP_GUARD.strip())
    quiet = make_analysis({"loudness.true_peak_dbtp": -8.0, "spectrum.band_levels_db": band_levels(air=-32.0)})
    report = diagnose(quiet, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    text = write_feedback(Facts(analysis=quiet, report=report, profile=FeedbackProfile.DETAILED))
    assert "boost" in text and CLIP_GUARD.strip() not in text


def test_a_resonance_inside_a_heavy_band_folds_into_its_cut() -> None:
    """A +12 dB sub shelf lifts a 51 Hz note against its neighbours: cut the sub first, check the ring after."""
    ring = {"spectrum.resonances": [{"frequency_hz": 51.0, "prominence_db": 14.4}]}
    sub_case = next(c for c in CASES if c.name == "sub +12 dB")
    heavy = make_analysis({**sub_case.overrides, **ring})
    report = diagnose(heavy, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    assert {"tonal.sub_heavy", "tonal.resonance_51hz"} <= {f.id for f in report.findings}
    move = first_move(report)
    assert move is not None and move.recipe.subject == "band:sub" and move.recipe.direction == "cut"
    assert "tonal.resonance_51hz" in {f.id for f in move.folded}
    mix = {k: v for k, v in sub_case.overrides.items() if k != "spectrum.band_levels_db"}
    alone = make_analysis({**mix, **ring})  # no heavy band: the ring is its own move
    lone = diagnose(alone, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    assert any(m.finding.id == "tonal.resonance_51hz" for m in moves(lone))
