"""The builtin engine's fixes: one recipe per finding and stage, in three voices, using only the finding's numbers.

Every figure with a unit comes from the finding (measured value, target bound, or their difference) or from the
stage rules and band edges shown to the model, so a builtin answer is grounded by construction. Ratios, Q and
times in ms are not measurements and carry no checked unit. The recipes live in ``moves_levels`` (source, gain,
dynamics, loudness) and ``moves_tone`` (EQ, stereo, low end); this module picks one for a finding.
"""

from __future__ import annotations

from collections.abc import Callable

from services.coaching.builtin import moves_levels as lv
from services.coaching.builtin import moves_tone as tn
from services.coaching.builtin.recipe import Recipe, Step, same
from services.diagnosis import Finding
from services.domain import FeedbackProfile, FeedbackType

RecipeFn = Callable[[Finding, FeedbackType], Recipe]


def _info(text: str, step: Step = Step.DYNAMICS) -> RecipeFn:
    return lambda f, stage: Recipe(step, f.id, "keep", same(text), "Nothing to check.", ok=True)


_RECIPES: dict[str, RecipeFn] = {
    "clipping.clipped_samples": lv.clipping,
    "clipping.true_peak_over": lv.true_peak,
    "clipping.lossy_clip_risk": lv.lossy_clip,
    "loudness.too_loud": lv.loudness,
    "loudness.too_quiet": lv.loudness,
    "loudness.mix_peaks_hot": lv.hot_peaks,
    "loudness.jumps": _info("If the jumps are not the arrangement, smooth the automation or edits at those points."),
    "clipping.encoded_true_peak_over": lv.true_peak,
    "loudness.platform_turn_down": _info(
        "Streaming will turn it down anyway; don't trade punch for loudness.", Step.LOUDNESS
    ),
    "dynamics.mix_bus_limiting": lv.bus_limiting,
    "dynamics": lv.dynamics,
    "tonal.resonance": tn.resonance,
    "tonal": tn.tonal,
    "bass.wide_low_end": tn.low_end,
    "bass.uneven_low_end": tn.uneven_low,
    "bass": tn.tonal,
    "reference.low_end_side_to_mid_delta_db": tn.low_end_vs_reference,
    "reference.low_end_correlation_delta": tn.low_end_vs_reference,
    "reference.side_to_mid_delta_db": tn.width,
    "reference.plr_delta_db": lv.dynamics,
    "reference.lra_delta_lu": lv.dynamics,
    "reference.true_peak_delta_db": lv.true_peak,
    "reference.loudness_delta_lu": _info("Loudness is matched for the comparison; judge the level on its own."),
    "reference": tn.tonal,
    "stereo.low_polarity": tn.polarity,
    "stereo.phase": tn.phase,
    "stereo.balance": tn.balance,
    "stereo.mono_file": _info(
        "Nothing to fix if mono is intended; pan the parts and export stereo if not.", Step.STEREO
    ),
    "stereo.mono_content": lv.qc,
    "stereo": tn.width,
    "transients": _info("Fine for the style if intended; shape attacks with a transient designer if not."),
    "qc": lv.qc,
}


def recipe_for(finding: Finding, stage: FeedbackType) -> Recipe:
    """The most specific recipe wins: full id, then id prefix, then the finding's area."""
    fn = _RECIPES.get(finding.id)
    if fn is None:
        prefix = next((k for k in _RECIPES if finding.id.startswith(k + "_") or finding.id.startswith(k + ".")), None)
        fn = _RECIPES.get(prefix or finding.area, _info("Listen to it and adjust by ear."))
    return fn(finding, stage)


def fix_for(finding: Finding, profile: FeedbackProfile, stage: FeedbackType = FeedbackType.MIXDOWN) -> str:
    """The fix for one finding in one voice at one stage."""
    return recipe_for(finding, stage).voice[profile]
