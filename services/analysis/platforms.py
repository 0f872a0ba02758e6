"""Streaming-platform normalisation: the gain each platform applies and the resulting true peak.

The table is data (``platforms.json``, one row per platform with its ``source``) because platforms change
policies; the code only applies the policy. A result above -1 dBTP risks clipping after lossy encoding
(AES TD1004 recommends <= -1 dBTP for lossy delivery).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from services.analysis.numbers import finite
from services.analysis.result import Loudness, PlatformResult

LOSSY_SAFE_DBTP = -1.0


@cache
def platform_table() -> tuple[dict[str, object], ...]:
    text = resources.files("services.analysis").joinpath("platforms.json").read_text(encoding="utf-8")
    rows: list[dict[str, object]] = json.loads(text)
    return tuple(rows)


def _gain_db(row: dict[str, object], *, lufs: float, tp: float | None) -> float:
    gain = float(str(row["reference_lufs"])) - lufs
    if gain > 0 and not row["turns_up"]:
        return 0.0
    ceiling = row["limits_up_to_dbtp"]
    if gain > 0 and ceiling is not None and tp is not None:
        gain = max(0.0, min(gain, float(str(ceiling)) - tp))
    return gain


def measure_platforms(loud: Loudness) -> list[PlatformResult]:
    out = []
    lufs, tp = loud.integrated_lufs, loud.true_peak_dbtp
    for row in platform_table():
        gain = _gain_db(row, lufs=lufs, tp=tp) if lufs is not None else None
        result_tp = tp + gain if tp is not None and gain is not None else None
        out.append(
            PlatformResult(
                platform=str(row["platform"]),
                reference_lufs=float(str(row["reference_lufs"])),
                policy=str(row["policy"]),
                gain_db=finite(gain),
                resulting_lufs=finite(lufs + gain) if lufs is not None and gain is not None else None,
                resulting_true_peak_dbtp=finite(result_tp),
                lossy_clip_risk=result_tp is not None and result_tp > LOSSY_SAFE_DBTP,
                source=str(row["source"]),
            )
        )
    return out
