"""Everything about what the coach says: feedback, sessions and follow-ups, prompts, lookups over the
measurements, grounding, suggestions, the generation of answers and the builtin (offline) engine.

Imports ``services.llm`` (the transport to a model), never the other way round.
"""
