"""Builds the chat messages for feedback, follow-ups and summaries from stored facts, within a token budget.

Every follow-up prompt repeats the role, profile and genre, so a long thread never drifts out of character; older
turns are replaced by the latest summary, and the oldest remaining turns are dropped if the budget is exceeded.
"""

from __future__ import annotations

from services.coaching.prompts.conventions import convention
from services.coaching.prompts.data import analysis_lines, findings_lines, reference_lines
from services.coaching.prompts.rules import rules_text
from services.coaching.prompts.versions import version_lines
from services.coaching.prompts.voice import example_text, role_text, style_text
from services.diagnosis import fmt_time
from services.llm.prompt import ChatMessage, Conversation, Facts, Prompt, Turn
from services.llm.tokens import estimate_text_tokens, estimate_tokens

_NO_REFERENCE = "No reference track was given. Never mention, assume or invent a reference track or its figures."
_WITH_REFERENCE = (
    "A reference track was given. Compare only through the loudness-matched deltas listed under REFERENCE; "
    "do not quote the reference's raw loudness as a target."
)
_FEEDBACK_RULES = (
    "- Give numbered issue → fix pairs, most important first; merge small issues, skip what is fine.\n"
    "- Quote numbers exactly as written in the data, with units; never invent a measurement, time or target.\n"
    "- When a finding has times, say where (m:ss).\n"
    "- No greeting, no sign-off, no preamble, no notes about your reasoning. Start with issue 1."
)
_FOLLOWUP_RULES = (
    "Rules:\n"
    "- Answer the latest question directly and briefly, in the same style, from the data and the thread only.\n"
    "- Quote numbers exactly as written in the data, with units; if the data has no measurement for what is "
    "asked, say so plainly instead of guessing.\n"
    "- No greeting, no sign-off, no notes about your reasoning."
)
_SUMMARY_SYSTEM = (
    "You keep the notes of a mixing-feedback conversation. Write a compact summary (at most 120 words) of the "
    "questions asked, the advice given with its numbers, and what is still open. No greeting, no commentary."
)


def _system(facts: Facts, rules: str) -> str:
    reference = _WITH_REFERENCE if facts.reference is not None else _NO_REFERENCE
    parts = [role_text(facts.report.genre, facts.stage), style_text(facts.profile), rules, reference]
    return "\n\n".join(parts)


def data_block(facts: Facts, *, finding_limit: int = 8) -> str:
    """MEASUREMENTS, FINDINGS (+ REFERENCE): the only figures a reply may quote."""
    blocks = [
        f"MEASUREMENTS (stage: {facts.report.stage.value.lower().replace('_', ' ')})\n"
        + "\n".join(analysis_lines(facts.analysis)),
        "FINDINGS (worst first, with targets)\n" + "\n".join(findings_lines(facts.report, limit=finding_limit)),
    ]
    if facts.report.reference is not None:
        blocks.append("REFERENCE (loudness-matched)\n" + "\n".join(reference_lines(facts.report.reference)))
    if facts.versions is not None:
        title = f"CHANGES SINCE VERSION {facts.versions.before_version} (same genre and stage)"
        blocks.append(title + "\n" + "\n".join(version_lines(facts.versions)))
    return "\n\n".join(blocks)


def build_feedback_prompt(facts: Facts, *, budget_tokens: int) -> Prompt:
    """The first answer: role, style, data, findings, reference (only if given), rules and an example."""
    data = data_block(facts)
    rules = rules_text(facts.stage, facts.profile).replace("Rules:", "Rules:\n" + _FEEDBACK_RULES, 1)
    system = "\n\n".join((_system(facts, rules), convention(facts.report.genre.genre), example_text(facts.stage)))
    messages = (
        ChatMessage("system", system),
        ChatMessage("user", data + "\n\nWrite the feedback now."),
    )
    return Prompt(
        kind="feedback",
        messages=messages,
        facts=facts,
        conversation=None,
        estimated_tokens=estimate_tokens(messages),
        budget_tokens=budget_tokens,
        data_text=data,
    )


def _followup_messages(
    facts: Facts, convo: Conversation, data: str, turns: tuple[Turn, ...]
) -> tuple[ChatMessage, ...]:
    context = [data, "YOUR EARLIER FEEDBACK\n" + convo.feedback]
    if convo.summary:
        context.append("SUMMARY OF THE CONVERSATION SO FAR\n" + convo.summary)
    head = (ChatMessage("system", _system(facts, _FOLLOWUP_RULES)), ChatMessage("user", "\n\n".join(context)))
    middle = tuple(ChatMessage(t.role, t.content) for t in turns)
    return (*head, *middle, ChatMessage("user", convo.question + _range_note(convo)))


def _range_note(convo: Conversation) -> str:
    """The stretch of the track the client attached to the question, in words and seconds (for span lookups)."""
    if convo.time_range is None:
        return ""
    start, end = convo.time_range
    return f"\n\n(Asked about {fmt_time(start)}-{fmt_time(end)} of the track: start_s={start:g}, end_s={end:g}.)"


def build_followup_prompt(facts: Facts, convo: Conversation, *, budget_tokens: int) -> Prompt:
    """A follow-up answer; drops the oldest turns (and then findings) until the estimate fits the budget."""
    turns = convo.turns
    limit = 8
    data = data_block(facts, finding_limit=limit)
    messages = _followup_messages(facts, convo, data, turns)
    while estimate_tokens(messages) > budget_tokens and (turns or limit > 3):
        if turns:
            turns = turns[2:] if len(turns) >= 2 else ()
        else:
            limit -= 1
            data = data_block(facts, finding_limit=limit)
        messages = _followup_messages(facts, convo, data, turns)
    return Prompt(
        kind="followup",
        messages=messages,
        facts=facts,
        conversation=convo,
        estimated_tokens=estimate_tokens(messages),
        budget_tokens=budget_tokens,
        dropped_turns=len(convo.turns) - len(turns),
        data_text=data,
    )


def build_summary_prompt(facts: Facts, convo: Conversation, *, budget_tokens: int) -> Prompt:
    """Condense the previous summary plus the turns after it into one new summary."""
    label = facts.report.genre.genre.label
    lines = [f"Genre: {label}; stage: {facts.stage.value.lower()}; profile: {facts.profile.value.lower()}."]
    if convo.summary:
        lines.append("PREVIOUS SUMMARY\n" + convo.summary)
    lines.append("TURNS\n" + "\n".join(f"{t.role.upper()}: {t.content}" for t in convo.turns))
    body = "\n\n".join(lines)
    while estimate_text_tokens(body) > budget_tokens // 2 and len(body) > 400:
        body = body[: len(body) * 3 // 4]
    messages = (ChatMessage("system", _SUMMARY_SYSTEM), ChatMessage("user", body + "\n\nWrite the summary now."))
    return Prompt(
        kind="summary",
        messages=messages,
        facts=facts,
        conversation=convo,
        estimated_tokens=estimate_tokens(messages),
        budget_tokens=budget_tokens,
        data_text=data_block(facts),
    )
