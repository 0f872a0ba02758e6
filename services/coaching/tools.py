"""The lookups offered to a model as tools (OpenAI function calling), and running one by name.

Both engines go through ``run_tool``: a model names a tool and its JSON arguments, the offline engine calls the
same tools directly, and every call is recorded (``domain.ToolCall``) so the answer can be grounded in what was
looked up and a client can show it. A bad call returns ``{"error": ...}`` for the model to read, never raises.
"""

from __future__ import annotations

import json
from typing import Any

from services.analysis.result import BAND_EDGES_HZ
from services.coaching.lookups import (
    band_over_time,
    findings_overview,
    measurement,
    reference_comparison,
    section_figures,
    span_figures,
)
from services.coaching.lookups.figures import MEASUREMENTS
from services.coaching.lookups.versions import version_changes
from services.coaching.prompts import Facts
from services.domain import ToolCall

MAX_TOOL_ROUNDS = 4


def _function(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": schema}}


TOOL_SPECS: list[dict[str, Any]] = [
    _function(
        "span_figures",
        "Measurements between two times in seconds: short-term loudness (LUFS), L/R correlation, the sections "
        "overlapping the span with their band levels and width, clip runs and true-peak overs inside it.",
        {"start_s": {"type": "number"}, "end_s": {"type": "number"}},
        ["start_s", "end_s"],
    ),
    _function(
        "band_over_time",
        "One frequency band's level in each section (dB relative to the section) and its whole-track level, "
        "correlation and width.",
        {"band": {"type": "string", "enum": list(BAND_EDGES_HZ)}},
        ["band"],
    ),
    _function("section_figures", "Every section with its times, loudness, width and band levels.", {}, []),
    _function(
        "reference_comparison",
        "Track minus the loudness-matched reference: band deltas, width, PLR, LRA, true peak; with both tracks' "
        "own integrated loudness and true peak.",
        {},
        [],
    ),
    _function("findings", "The findings worst first, with measured values and times, and the verdict.", {}, []),
    _function(
        "measurement",
        "A named group of whole-track figures: tempo, key, mono (stereo and phase), platforms (normalisation "
        "and clip risk on Spotify etc.), loudness, clipping, file (format, sample rate, lossy).",
        {"name": {"type": "string", "enum": list(MEASUREMENTS)}},
        ["name"],
    ),
]


def _number(arguments: dict[str, Any], key: str) -> float:
    value = arguments.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"{key} must be a number of seconds")
    return float(value)


def _dispatch(facts: Facts, name: str, arguments: dict[str, Any]) -> dict[str, object]:
    a = facts.analysis
    if name == "span_figures":
        return span_figures(a, start_s=_number(arguments, "start_s"), end_s=_number(arguments, "end_s"))
    if name == "band_over_time":
        return band_over_time(a, band=str(arguments.get("band", "")))
    if name == "section_figures":
        return section_figures(a)
    if name == "reference_comparison":
        return reference_comparison(a, facts.reference)
    if name == "findings":
        return findings_overview(facts.report)
    if name == "measurement":
        return measurement(a, name=str(arguments.get("name", "")))
    if name == "version_changes":  # not offered to a model: the prompt carries the comparison as data
        return version_changes(facts.versions)
    return {"error": f"unknown tool {name!r}"}


def run_tool(facts: Facts, name: str, arguments: dict[str, Any]) -> ToolCall:
    """Run one lookup; errors in the arguments come back as ``{"error": ...}`` in the result."""
    try:
        result = _dispatch(facts, name, arguments)
    except ValueError as exc:
        result = {"error": str(exc)}
    return ToolCall(name=name, arguments=dict(arguments), result=result)


def run_tool_json(facts: Facts, name: str, arguments_json: str) -> ToolCall:
    """A model's call: the arguments arrive as a JSON string, possibly malformed."""
    try:
        arguments = json.loads(arguments_json or "{}")
    except json.JSONDecodeError:
        return ToolCall(name=name, arguments={"raw": arguments_json}, result={"error": "arguments are not JSON"})
    if not isinstance(arguments, dict):
        return ToolCall(name=name, arguments={"raw": arguments_json}, result={"error": "arguments must be an object"})
    return run_tool(facts, name, arguments)
