"""Honest section labels: song-form names only where the structure repeats, plain names otherwise.

Why: naming the loudest stretch "chorus" whatever the music is wrong for most of it (a through-composed orchestral
piece has no chorus). Sections are grouped by how alike they measure (letters A, B, ...). Only when the loudest
group comes back at least twice with another repeating group between does the track get verse/chorus names (and
intro/outro for one-off quieter ends). Otherwise a section is a "loud passage" or "quiet passage" when it sits
``_PASSAGE_LU`` or more from the track's typical level, else "part A", "part B" ...

The analysis does not know the genre, so ``labels_for_form`` adjusts the names once it is known (the findings
report does this): a through-composed genre (orchestral, classical, ambient) never gets verse/chorus/bridge/drop,
however it repeats; an EDM genre names a "drop" where the structure shows one: a section clearly louder than the
one before it (a build or breakdown) whose low end (sub + bass share of its power) jumps up with it, and which is
at least as loud as the track's typical level. Song-form genres keep the labels as they are.
"""

from __future__ import annotations

import numpy as np

from services.analysis.result import Section

_PASSAGE_LU = 5.0
_SAME_LU = 2.0
_SAME_SHARES = 0.12
_DROP_LU = 3.0  # a drop is at least this much louder than the section before it
_DROP_LOW_DB = 3.0  # and its sub + bass share of the power rises by at least this much
SONG_FORM = ("verse", "chorus", "bridge", "drop")
FORMS = ("song", "edm", "through-composed")


def similar(one: Section, two: Section, *, lu: float = _SAME_LU, shares: float = _SAME_SHARES) -> bool:
    """Loudness within ``lu`` and band energy shares within ``shares`` (total-variation distance)."""
    if one.loudness_lufs is None or two.loudness_lufs is None:
        return one.loudness_lufs is None and two.loudness_lufs is None
    if abs(one.loudness_lufs - two.loudness_lufs) >= lu:
        return False
    pairs = [
        (10 ** (x.value / 10), 10 ** (y.value / 10))
        for x, y in zip(one.band_levels_db, two.band_levels_db, strict=True)
        if x.value is not None and y.value is not None
    ]
    return 0.5 * sum(abs(x - y) for x, y in pairs) < shares


def groups(sections: list[Section]) -> list[int]:
    """A group number per section: each joins the first earlier group whose first member it resembles."""
    firsts: list[Section] = []
    out = []
    for s in sections:
        k = next((i for i, f in enumerate(firsts) if similar(s, f)), None)
        if k is None:
            firsts.append(s)
            k = len(firsts) - 1
        out.append(k)
    return out


def label_sections(sections: list[Section]) -> list[Section]:
    """The sections with their ``label`` set (see the module docstring)."""
    if len(sections) < 2:
        return [s.model_copy(update={"label": "full track"}) for s in sections]
    gid = groups(sections)
    levels = [s.loudness_lufs if s.loudness_lufs is not None else -200.0 for s in sections]
    labels = _song_form(gid, levels) or _plain(sections, gid, levels)
    return [s.model_copy(update={"label": lab}) for s, lab in zip(sections, labels, strict=True)]


def _mean_level(gid: list[int], levels: list[float], g: int) -> float:
    return float(np.mean([lv for k, lv in zip(gid, levels, strict=True) if k == g]))


def _song_form(gid: list[int], levels: list[float]) -> list[str] | None:
    counts = {g: gid.count(g) for g in set(gid)}
    repeating = [g for g, n in counts.items() if n >= 2]
    if len(gid) < 4 or len(repeating) < 2:
        return None
    chorus = max(repeating, key=lambda g: _mean_level(gid, levels, g))
    verse = max((g for g in repeating if g != chorus), key=lambda g: (counts[g], _mean_level(gid, levels, g)))
    if _mean_level(gid, levels, chorus) - _mean_level(gid, levels, verse) < 1.0:
        return None  # two repeating parts at one level: no evidence which is the chorus
    top = _mean_level(gid, levels, chorus)
    letters: dict[int, str] = {}
    labels = []
    for i, g in enumerate(gid):
        end = i in (0, len(gid) - 1)
        if g == chorus:
            labels.append("chorus")
        elif g == verse:
            labels.append("verse")
        elif end and counts[g] == 1 and levels[i] <= top - 3.0:
            labels.append("intro" if i == 0 else "outro")
        else:
            labels.append("bridge" if counts[g] == 1 else f"part {letters.setdefault(g, _letter(len(letters)))}")
    return labels


def _plain(sections: list[Section], gid: list[int], levels: list[float]) -> list[str]:
    typical = _typical_level(sections, levels)
    letters: dict[int, str] = {}
    labels = []
    for g in gid:
        level = _mean_level(gid, levels, g)
        if level >= typical + _PASSAGE_LU:
            labels.append("loud passage")
        elif level <= typical - _PASSAGE_LU:
            labels.append("quiet passage")
        else:
            labels.append(f"part {letters.setdefault(g, _letter(len(letters)))}")
    return labels


def _typical_level(sections: list[Section], levels: list[float]) -> float:
    """Duration-weighted mean of the section loudnesses (in LU, so one loud stretch does not dominate it)."""
    weights = [max(1e-3, s.end_s - s.start_s) for s in sections]
    return float(np.average(levels, weights=weights))


def _letter(k: int) -> str:
    return chr(ord("A") + k) if k < 26 else f"{k + 1}"


def labels_for_form(sections: list[Section], form: str) -> list[Section]:
    """The sections relabelled for a genre's form (``FORMS``; see the module docstring)."""
    if form == "through-composed" and any(s.label in SONG_FORM for s in sections):
        gid = groups(sections)
        levels = [s.loudness_lufs if s.loudness_lufs is not None else -200.0 for s in sections]
        labels = _plain(sections, gid, levels)
        return [s.model_copy(update={"label": lab}) for s, lab in zip(sections, labels, strict=True)]
    if form == "edm" and len(sections) >= 2:
        typical = _typical_level(sections, [s.loudness_lufs if s.loudness_lufs is not None else -200.0
                                            for s in sections])  # fmt: skip
        drops = {i for i in range(1, len(sections)) if _is_drop(sections[i - 1], sections[i], typical=typical)}
        return [s.model_copy(update={"label": "drop"}) if i in drops else s for i, s in enumerate(sections)]
    return sections


def low_share_db(section: Section) -> float | None:
    """The sub + bass share of a section's power, dB (``None`` when a band is unmeasured)."""
    values = [b.value for b in section.band_levels_db if b.band in ("sub", "bass")]
    if len(values) != 2 or any(v is None for v in values):
        return None
    return float(10.0 * np.log10(sum(10.0 ** (v / 10.0) for v in values if v is not None)))


def _is_drop(before: Section, section: Section, *, typical: float) -> bool:
    """Louder than the section before by ``_DROP_LU``, its low end up by ``_DROP_LOW_DB``, not a quiet part."""
    if section.loudness_lufs is None or before.loudness_lufs is None:
        return False
    low, low_before = low_share_db(section), low_share_db(before)
    return (
        low is not None
        and low_before is not None
        and section.loudness_lufs - before.loudness_lufs >= _DROP_LU
        and low - low_before >= _DROP_LOW_DB
        and section.loudness_lufs >= typical
    )
