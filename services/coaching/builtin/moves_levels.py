"""Recipes for the source, gain staging, dynamics and loudness: clipping, peaks, limiting, level and QC defects.

Mixdown recipes never set a loudness target or a limiter (headroom is the goal; a quiet mix is fine); mastering
and master-review recipes work on the stereo bus only (limiter input, ceiling, bus compression).
"""

from __future__ import annotations

from services.coaching.builtin.recipe import Recipe, Step, amount, ceiling, first, is_mix, range_text, same, where
from services.diagnosis import Finding
from services.domain import FeedbackProfile as P
from services.domain import FeedbackType

_HEADROOM = "peaks between -6.0 dBFS and -3.0 dBFS"


def clipping(f: Finding, stage: FeedbackType) -> Recipe:
    at = where(f)
    if is_mix(stage):
        return Recipe(Step.SOURCE, "clip_source", "down", {
            P.SIMPLE: f"Turn down the part that distorts{at}, or the mix-bus fader, until nothing clips.",
            P.DETAILED: f"Find the channel or plugin that overloads{at} and lower it, or pull the mix bus down until "
            f"the {_HEADROOM.replace('peaks', 'peaks sit', 1)}; clipped samples are distortion that mastering cannot "
            "remove.",
            P.PRO: f"Gain-stage the overs at source{at}; bounce with {_HEADROOM}.",
        }, "Bounce again: the clip count reads 0 and the peaks leave headroom.")  # fmt: skip
    ceil = ceiling(stage)
    return Recipe(Step.SOURCE, "limiter_input", "down", {
        P.SIMPLE: f"The master distorts{at}. Make it again from the unclipped mix, or turn the level going into "
        f"the limiter down until it stops; keep the limit at {ceil}.",
        P.DETAILED: f"Clipped samples{at} are baked-in distortion: re-render the master from the unclipped mix, or "
        f"lower the gain into the limiter until none are left, with a true-peak ceiling of {ceil}.",
        P.PRO: f"Re-render from the unclipped mix, or limiter input down until 0 clipped samples{at}; TP ceiling "
        f"{ceil}, 4x oversampling.",
    }, f"Re-measure: 0 clipped samples and true peak at or below {ceil}.")  # fmt: skip


def true_peak(f: Finding, stage: FeedbackType) -> Recipe:
    if is_mix(stage):
        return Recipe(Step.GAIN, "mix_gain", "down", same(
            f"Pull the mix-bus fader down{amount(f)} so the peaks stay clear of full scale; leave headroom."
        ), "Bounce again: the peaks stay below full scale.")  # fmt: skip
    ceil, trim = ceiling(stage), amount(f)
    alt = f", or trim the output{trim}" if trim else ""
    return Recipe(Step.LOUDNESS, "ceiling", "down", {
        P.SIMPLE: f"Set your limiter's ceiling to {ceil} and switch on its true-peak mode.",
        P.DETAILED: f"Inter-sample peaks go over once the file is converted or encoded: set a true-peak limiter's "
        f"ceiling to {ceil}{alt}.",
        P.PRO: f"TP limiter, ceiling {ceil}, oversampling on{alt}.",
    }, f"Re-measure: true peak at or below {ceil}.")  # fmt: skip


def lossy_clip(f: Finding, stage: FeedbackType) -> Recipe:
    ceil = ceiling(stage)
    return Recipe(Step.LOUDNESS, "ceiling", "down", same(
        f"Set the limiter's true-peak ceiling to {ceil} or below so encoders have room."
    ), f"Encode a test file: its true peak stays at or below {ceil}.")  # fmt: skip


def loudness(f: Finding, stage: FeedbackType) -> Recipe:
    louder = f.id.endswith("too_loud")
    if is_mix(stage):
        if louder:
            return Recipe(Step.GAIN, "mix_gain", "down", same(
                f"Pull the mix-bus fader down{amount(f)} and leave the level to mastering; keep {_HEADROOM}."
            ), "Bounce again: the peaks leave headroom.")  # fmt: skip
        return Recipe(Step.GAIN, "mix_gain", "keep", same(
            "The level is fine for a mixdown: leave the headroom as it is; mastering brings it up."
        ), "Nothing to check: keep the peaks below full scale.", ok=True)  # fmt: skip
    ceil, span, by = ceiling(stage), range_text(f), amount(f)
    if louder:
        return Recipe(Step.LOUDNESS, "limiter_input", "down", {
            P.SIMPLE: f"Push the limiter less, so the song ends up at {span}.",
            P.DETAILED: f"Lower the limiter's input gain{by} to land at {span}; the ceiling stays at {ceil}.",
            P.PRO: f"Limiter input down{by} → {span}; ceiling {ceil}.",
        }, f"Re-measure: integrated loudness at {span}.")  # fmt: skip
    return Recipe(Step.LOUDNESS, "limiter_input", "up", {
        P.SIMPLE: f"Bring it up with a limiter: raise the level going into it{by} until it reaches {span}, with "
        f"the limit (ceiling) at {ceil}.",
        P.DETAILED: f"Bring it up to the target with a limiter on the stereo bus: raise its input{by} to land at "
        f"{span}, with a true-peak ceiling of {ceil}; listen for dulled transients as you go.",
        P.PRO: f"Limiter input up{by} → {span}; TP ceiling {ceil}, oversampling on.",
    }, f"Re-measure: integrated loudness at {span}, true peak at or below {ceil}.")  # fmt: skip


def hot_peaks(f: Finding, stage: FeedbackType) -> Recipe:
    return Recipe(Step.GAIN, "mix_gain", "down", same(
        f"Lower the mix-bus fader{amount(f)} so the peaks sit between -6.0 dBFS and -3.0 dBFS; leave the level to "
        "mastering."
    ), "Bounce again: the sample peak sits between -6.0 dBFS and -3.0 dBFS.")  # fmt: skip


def bus_limiting(f: Finding, stage: FeedbackType) -> Recipe:
    return Recipe(Step.GAIN, "mix_gain", "down", {
        P.SIMPLE: "Switch off the processing that flattens the peaks on your master channel before you export.",
        P.DETAILED: f"Bypass the limiter or clipper on the mix bus and export with {_HEADROOM}, so mastering has "
        "room to work.",
        P.PRO: f"Bypass the bus limiter/clipper; bounce with {_HEADROOM}.",
    }, "Bounce again: the peaks move freely and sit between -6.0 dBFS and -3.0 dBFS.")  # fmt: skip


def dynamics(f: Finding, stage: FeedbackType) -> Recipe:
    squashed = f.id.endswith(("over_compressed", "lra_narrow")) or (f.id.startswith("reference.") and first(f) < 0)
    by = amount(f)
    if squashed:
        where_ = "on the mix bus and the busiest tracks" if is_mix(stage) else "on the stereo bus"
        tool = "compression" if is_mix(stage) else "limiting and bus compression"
        return Recipe(Step.DYNAMICS, "limiter_input" if not is_mix(stage) else "bus_comp", "down", {
            P.SIMPLE: "The song is squashed: use less compression." if is_mix(stage)
            else "The song is squashed: push the limiter less.",
            P.DETAILED: f"Ease the {tool} {where_}{by} and let the drums breathe; slower attacks keep the punch.",
            P.PRO: f"Back off {tool}{by}; bus comp 2:1, attack 30 ms, release auto.",
        }, "Re-measure: the PLR rises into the genre's range and the drums hit again.")  # fmt: skip
    if is_mix(stage):
        voice = {
            P.SIMPLE: "Loud and quiet parts are far apart. Even them out with volume automation.",
            P.DETAILED: "Automate the quiet parts up (or the loud parts down) first, then glue the rest with gentle "
            "bus compression with a slow attack.",
            P.PRO: "Ride sections first; bus comp 1.5-2:1, attack 30 ms, release 100-200 ms.",
        }
    else:
        voice = {
            P.SIMPLE: "Loud and quiet parts are far apart. A gentle compressor on the whole song evens them out.",
            P.DETAILED: "Glue the stereo bus with gentle compression (slow attack, auto release) before the limiter.",
            P.PRO: "Bus comp 1.5-2:1, attack 30 ms, release 100-200 ms, light gain reduction, before the limiter.",
        }
    return Recipe(Step.DYNAMICS, "bus_comp", "up", voice, "Re-measure: the loudness range narrows toward the genre's.")


def qc(f: Finding, stage: FeedbackType) -> Recipe:
    texts = {
        "qc.lossy_source": "Use the lossless WAV/AIFF bounce, never an MP3 or streaming rip.",
        "qc.resampled": "Export at the session's native sample rate instead of upsampling.",
        "qc.dual_mono": "Both channels are identical: check the export routing, or deliver it as mono.",
        "qc.dc_offset": "Apply a DC-offset filter (or a gentle high-pass below 20 Hz) on the master.",
        "qc.low_sample_rate": "Export at 44.1 kHz or higher from the session (do not upsample a low-rate file).",
        "qc.low_bit_depth": "Export 24-bit (or at least 16-bit with dither).",
        "qc.head_silence": "Trim the silence before the first sound, leaving a few hundred ms at most.",
        "qc.tail_silence": "Trim the silence after the last sound once the tail has faded out.",
        "qc.head_click": "Add a short fade-in (a few ms) so the file does not start mid-waveform.",
        "qc.tail_click": "Add a short fade-out so the file does not stop mid-waveform.",
        "stereo.mono_content": "Both channels carry the same signal: check the export and panning.",
    }
    text = next((t for k, t in texts.items() if f.id.startswith(k)), "Fix the export and render it again.")
    return Recipe(Step.SOURCE, f.id, "fix", same(text), "Analyse the new file: this finding is gone.")
