"""The builtin engine's fixes: one recipe per finding, in three voices, using only the finding's own numbers.

Every figure with a unit comes from the finding (measured value, target bound, or their difference) or from the
stage rules and band edges shown to the model, so a builtin answer is fully grounded by construction. Ratios,
Q and times in ms are not measurements and carry no checked unit.
"""

from __future__ import annotations

from collections.abc import Callable

from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis import Finding, fmt, fmt_spans
from services.domain import FeedbackProfile

Voice = dict[FeedbackProfile, str]


def _first(f: Finding) -> float:
    return f.measured[0].value if f.measured and f.measured[0].value is not None else 0.0


def _excess(f: Finding) -> str:
    """How far the first measured value is outside the target, as shown in the finding's detail."""
    if f.target is None or not f.measured:
        return ""
    value, unit = _first(f), f.measured[0].unit
    if f.target.high is not None and value > f.target.high:
        return fmt(value - f.target.high, "dB" if unit in ("LUFS", "dBTP", "dBFS") else unit)
    if f.target.low is not None and value < f.target.low:
        return fmt(f.target.low - value, "dB" if unit in ("LUFS", "dBTP", "dBFS") else unit)
    return ""


def _where(f: Finding) -> str:
    if not f.time_ranges:
        return ""
    spans = fmt_spans(f.time_ranges, more=f.more_spans)
    return f" (around {spans})"


def _band_span(band: str) -> str:
    low, high = BAND_EDGES_HZ[band]
    return f"{fmt(low, 'Hz')}-{fmt(high, 'Hz')}"


def _clipping(f: Finding) -> Voice:
    where = _where(f)
    return {
        FeedbackProfile.SIMPLE: f"Turn down the loudest track or the master fader until nothing clips{where}.",
        FeedbackProfile.DETAILED: f"Find the track or plugin that overloads{where} and lower it, or pull the whole "
        "mix bus down; clipped samples are distortion that mastering cannot remove.",
        FeedbackProfile.PRO: f"Gain-stage the overs at source{where}; true-peak limiter with 4x oversampling if "
        "you need the level.",
    }


def _true_peak(f: Finding) -> Voice:
    ceiling = fmt(f.target.high if f.target and f.target.high is not None else 0.0, "dBTP")
    return {
        FeedbackProfile.SIMPLE: f"Set your limiter's ceiling to {ceiling} and switch on its true-peak mode.",
        FeedbackProfile.DETAILED: f"Inter-sample peaks go over once the file is converted or encoded. Lower the "
        f"output by {_excess(f)} or set a true-peak limiter's ceiling to {ceiling}.",
        FeedbackProfile.PRO: f"TP limiter, ceiling {ceiling}, oversampling on; or trim output {_excess(f)}.",
    }


def _loudness(f: Finding) -> Voice:
    louder = f.id.endswith("too_loud")
    amount = _excess(f)
    lo = fmt(f.target.low or 0.0, "LUFS") if f.target else ""
    hi = fmt(f.target.high or 0.0, "LUFS") if f.target else ""
    if f.id.startswith("loudness.too") and f.target is not None and f.target.high is not None and f.target.high <= -14:
        return {
            FeedbackProfile.SIMPLE: f"Take the limiter off the master and turn the master down by about {amount}; "
            "mastering will make it loud.",
            FeedbackProfile.DETAILED: f"A mix for mastering does not need to be loud. Remove bus limiting and lower "
            f"the master by about {amount} so it sits between {lo} and {hi}.",
            FeedbackProfile.PRO: f"Bypass bus limiting, trim {amount}; deliver at {lo} to {hi}.",
        }
    verb = "less" if louder else "more"
    return {
        FeedbackProfile.SIMPLE: f"Push the limiter {verb} so the song ends up between {lo} and {hi}.",
        FeedbackProfile.DETAILED: f"Change the limiter's input gain by about {amount} ({'down' if louder else 'up'}) "
        f"to land between {lo} and {hi}; listen for pumping or dulled transients as you go.",
        FeedbackProfile.PRO: f"Limiter input {'-' if louder else '+'}{amount} → {lo} to {hi}; ceiling -1.0 dBTP.",
    }


def _tonal(f: Finding) -> Voice:
    band = f.id.split(".", 1)[1].rsplit("_", 1)[0]
    if f.id.startswith("reference."):
        band = f.id.split(".", 1)[1]
    span = _band_span(band)
    heavy = f.id.endswith("_heavy") or (f.id.startswith("reference.") and _first(f) > 0)
    amount = _excess(f) or fmt(abs(_first(f)), "dB")
    shelf = band in ("sub", "air")
    move = "cut" if heavy else "boost"
    if float(amount.split()[0]) > 6.0:  # too far for EQ to fix gracefully: it is an arrangement or source problem
        return {
            FeedbackProfile.SIMPLE: f"The {span} range is far off; change the sounds or parts that fill it.",
            FeedbackProfile.DETAILED: f"The {span} range is {amount} off target, more than EQ can fix cleanly; "
            f"{'thin out' if heavy else 'add'} parts or pick sounds that {'leave' if heavy else 'fill'} that range.",
            FeedbackProfile.PRO: f"{amount} {'over' if heavy else 'under'} target across {span}: "
            f"{'thin the arrangement' if heavy else 'add or swap sources'} there; EQ only for the last few dB.",
        }
    return {
        FeedbackProfile.SIMPLE: f"Use an EQ to {move} a little in the {span} range until it sounds balanced.",
        FeedbackProfile.DETAILED: f"With a broad EQ {'shelf' if shelf else 'bell'}, {move} about {amount} across "
        f"{span}; fix it on the tracks that cause it before touching the mix bus.",
        FeedbackProfile.PRO: f"{'Shelf' if shelf else 'Bell'} {'-' if heavy else '+'}{amount} over {span}, "
        f"{'Q 0.7' if not shelf else 'gentle slope'}; dynamic EQ if it only builds in dense parts.",
    }


def _resonance(f: Finding) -> Voice:
    freq = fmt(_first(f), "Hz")
    prominence = fmt(f.measured[1].value or 0.0, "dB") if len(f.measured) > 1 else ""
    return {
        FeedbackProfile.SIMPLE: f"Something rings at {freq}. Use a narrow EQ cut there until the ringing stops.",
        FeedbackProfile.DETAILED: f"A narrow peak at {freq} stands {prominence} above its neighbours. Sweep a narrow "
        f"bell around {freq}, find the source track, and cut it until the peak sits flush.",
        FeedbackProfile.PRO: f"Notch @ {freq}, Q 6-8, cut until the {prominence} peak is flush; dynamic if one note.",
    }


def _low_end(f: Finding) -> Voice:
    return {
        FeedbackProfile.SIMPLE: "Make the bass and kick mono: most EQs and imagers have a 'mono bass' switch.",
        FeedbackProfile.DETAILED: "Keep everything below 120 Hz in the centre: use a mono-maker or mid/side EQ to "
        "remove side content down there, and avoid stereo wideners on bass sounds.",
        FeedbackProfile.PRO: "M/S: side high-pass at 120 Hz (or mono-maker); check sub layers and reverb returns.",
    }


def _dynamics(f: Finding) -> Voice:
    squashed = f.id.endswith("over_compressed")
    amount = _excess(f)
    if f.id.endswith("mix_bus_limiting"):
        return {
            FeedbackProfile.SIMPLE: "Turn off the limiter on your master channel before you export the mix.",
            FeedbackProfile.DETAILED: "Bypass the limiter or clipper on the mix bus and export with peaks between "
            "-6.0 dBFS and -3.0 dBFS, so the mastering engineer has room to work.",
            FeedbackProfile.PRO: "Bypass bus limiter/clipper; bounce with peaks -6.0 dBFS to -3.0 dBFS.",
        }
    if squashed:
        return {
            FeedbackProfile.SIMPLE: "Your song is squashed. Use less limiting or compression on the master.",
            FeedbackProfile.DETAILED: f"Reduce the limiter's gain reduction by about {amount} and let the drums "
            "breathe; slower attacks on bus compression keep the punch.",
            FeedbackProfile.PRO: f"Back off limiting {amount}; bus comp 2:1, attack 30 ms, release auto.",
        }
    return {
        FeedbackProfile.SIMPLE: "Loud and quiet parts are far apart. Even them out with volume automation.",
        FeedbackProfile.DETAILED: "Automate the quiet parts up (or the loud parts down) first, then use gentle bus "
        "compression with a slow attack to glue the rest.",
        FeedbackProfile.PRO: "Ride sections first; bus comp 1.5-2:1, attack 30 ms, release 100-200 ms.",
    }


def _stereo(f: Finding) -> Voice:
    where = _where(f)
    if f.id == "stereo.phase" and f.severity.value in ("MAJOR", "CRITICAL"):
        return {
            FeedbackProfile.SIMPLE: f"Left and right cancel each other{where}. Flip the polarity of one channel of "
            "the master or of the stereo part that causes it.",
            FeedbackProfile.DETAILED: f"Most of the mix is opposed between left and right{where}: check the polarity "
            "of the master bus and of stereo sources, and flip the one that is inverted.",
            FeedbackProfile.PRO: f"Polarity inversion{where}: invert one side at the source or bus; re-check in mono.",
        }
    if f.id == "stereo.phase":
        return {
            FeedbackProfile.SIMPLE: f"Some sounds cancel out on a phone speaker{where}. Turn off stereo wideners and "
            "check the mix in mono.",
            FeedbackProfile.DETAILED: f"Listen in mono{where}: flip the polarity of stereo-miked or doubled parts, and "
            "remove or reduce wideners and Haas delays that cancel.",
            FeedbackProfile.PRO: f"Polarity/phase check{where}; kill Haas/wideners on the offending bus; check mono.",
        }
    return {
        FeedbackProfile.SIMPLE: "Check the panning: spread the parts more evenly between left and right."
        if f.id == "stereo.narrow"
        else "Bring the stereo effects and wide pads in a little, so the image holds together.",
        FeedbackProfile.DETAILED: "Re-balance the panning and any stereo effects so the image matches the genre; "
        "keep the bass, kick and lead vocal centred.",
        FeedbackProfile.PRO: "Adjust side level on the music bus (M/S) or wideners; keep sub, kick, vocal centred.",
    }


def _polarity(f: Finding) -> Voice:
    where = _where(f)
    return {
        FeedbackProfile.SIMPLE: f"One side of the bass is upside down{where}. Flip the polarity (the 'ø' or phase "
        "button) on one channel of the bass track, and do not make it mono.",
        FeedbackProfile.DETAILED: f"Left and right are opposed in the low end{where}: find the bass or kick source "
        "whose channels cancel, flip the polarity of one channel or nudge it into time alignment, then check in "
        "mono that the low end comes back. Making it mono would cancel it.",
        FeedbackProfile.PRO: f"Low-band polarity/alignment{where}: invert one side or align (sample delay) at the "
        "source; re-check correlation. No mono-maker: it sums the opposed channels to nothing.",
    }


def _plain(text: str) -> Callable[[Finding], Voice]:
    return lambda f: dict.fromkeys(FeedbackProfile, text)


_RECIPES: dict[str, Callable[[Finding], Voice]] = {
    "clipping.clipped_samples": _clipping,
    "clipping.true_peak_over": _true_peak,
    "clipping.lossy_clip_risk": _plain("Lower the ceiling to -1.0 dBTP or below so encoders have room."),
    "loudness.too_loud": _loudness,
    "loudness.too_quiet": _loudness,
    "loudness.mix_peaks_hot": lambda f: {
        p: f"Lower the master fader by about {_excess(f)} so peaks sit between -6.0 dBFS and -3.0 dBFS."
        for p in FeedbackProfile
    },
    "loudness.platform_turn_down": _plain("Streaming will turn it down anyway; don't trade punch for loudness."),
    "dynamics": _dynamics,
    "tonal.resonance": _resonance,
    "tonal": _tonal,
    "bass.wide_low_end": _low_end,
    "bass.uneven_low_end": _plain("Even out the bass: compress the bass bus gently or automate the low parts."),
    "bass": _tonal,
    "reference.low_end_width_delta_pct": _low_end,
    "reference.width_delta_pct": _stereo,
    "reference.plr_delta_db": _dynamics,
    "reference.lra_delta_lu": _dynamics,
    "reference": _tonal,
    "stereo.low_polarity": _polarity,
    "stereo.mono_file": _plain("Nothing to fix if mono is intended; pan the parts and export stereo if not."),
    "stereo.mono_content": _plain("Check the export and panning: left and right carry the same signal."),
    "stereo": _stereo,
    "transients": _plain("Fine for the style if intended; shape attacks with a transient designer if not."),
    "qc.dc_offset": _plain("Apply a DC-offset filter (or a gentle high-pass) on the master."),
    "qc.lossy_source": _plain("Use the lossless WAV/AIFF bounce, never an MP3 or streaming rip."),
    "qc.resampled": _plain("Export at the session's native sample rate instead of upsampling."),
    "qc.dual_mono": _plain("Check the export: both channels are identical; deliver mono or fix the routing."),
}


def fix_for(finding: Finding, profile: FeedbackProfile) -> str:
    """The fix for one finding in one voice (most specific recipe wins: full id, id prefix, area)."""
    recipe = _RECIPES.get(finding.id)
    if recipe is None:
        prefix = next((k for k in _RECIPES if finding.id.startswith(k + "_") or finding.id.startswith(k + ".")), None)
        recipe = _RECIPES.get(prefix or finding.area, _plain("Listen to it and adjust by ear."))
    return recipe(finding)[profile]
