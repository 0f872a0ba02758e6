"""``mixcoach feedback FILE --genre G --type T --profile P [--reference R]``: streamed feedback in the terminal.

Runs the same pipeline as the server (analysis → findings → prompt → engine → grounding), without a database.
The engine follows ``MIXCOACH_LLM`` / ``OPENAI_*`` like the server; ``--engine`` overrides it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.coaching.prompts import Prompt
    from services.llm import LLMProvider


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("feedback", help="AI mixing/mastering feedback on a file, streamed")
    parser.add_argument("file", help="the mix or master to review")
    parser.add_argument("--genre", default="", help='free text, e.g. "hip hop", "DnB", "techno / melodic techno"')
    parser.add_argument("--type", default="mixdown", help="mixdown | mastering | master review")
    parser.add_argument("--profile", default="detailed", help="simple | detailed | pro")
    parser.add_argument("--reference", default=None, help="a reference track to compare with (loudness-matched)")
    parser.add_argument("--engine", choices=["auto", "builtin", "openai"], default=None, help="override MIXCOACH_LLM")
    parser.add_argument("--base-url", default=None, help="override OPENAI_BASE_URL (e.g. http://localhost:11434/v1)")
    parser.add_argument("--model", default=None, help="override OPENAI_MODEL")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 on success, 2 for bad input or audio, 3 when the model failed (partial text stays printed)."""
    from api.llm import provider_from
    from api.settings import Settings
    from services.analysis import analyze
    from services.coaching.generation import facts_from
    from services.coaching.prompts import build_feedback_prompt
    from services.errors import DomainError, LLMError
    from services.genres import parse_feedback_type, parse_profile

    overrides = {"llm": args.engine, "openai_base_url": args.base_url, "openai_model": args.model}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    try:
        stage, profile = parse_feedback_type(args.type), parse_profile(args.profile)
        analysis = analyze(args.file)
        reference = analyze(args.reference) if args.reference else None
    except DomainError as exc:
        print(f"mixcoach feedback: {exc.message}", file=sys.stderr)
        return 2
    facts = facts_from(analysis, genre=args.genre, stage=stage, profile=profile, reference=reference)
    prompt = build_feedback_prompt(facts, budget_tokens=settings.prompt_token_budget)
    provider = provider_from(settings)
    try:
        asyncio.run(_stream(provider, prompt))
    except LLMError as exc:
        print(f"\nmixcoach feedback: {exc.message} ({exc.code})", file=sys.stderr)
        return 3
    return 0


async def _stream(provider: LLMProvider, prompt: Prompt) -> None:
    from services.coaching.grounding import ground

    facts = prompt.facts
    print(
        f"[{provider.name} · {provider.model} · {facts.report.genre.genre.label} · {facts.stage.value}"
        f" · {facts.profile.value} · prompt ≈{prompt.estimated_tokens} tokens]",
        file=sys.stderr,
    )
    started = time.perf_counter()
    parts: list[str] = []
    try:
        async with provider.stream(prompt) as reply:
            async for delta in reply:
                parts.append(delta)
                sys.stdout.write(delta)
                sys.stdout.flush()
    finally:
        await provider.aclose()
    sys.stdout.write("\n")
    grounding = ground("".join(parts), analysis=facts.analysis, report=facts.report, reference=facts.reference)
    untraced = ", ".join(n.text for n in grounding.untraced) or "none"
    print(
        f"[{time.perf_counter() - started:.1f} s · {reply.usage.completion_tokens} tokens · "
        f"{len(grounding.traced)} numbers traced, untraced: {untraced}]",
        file=sys.stderr,
    )
