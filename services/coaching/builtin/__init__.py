"""The builtin engine: answers written from the findings and lookups, with no model at all.

It is coaching knowledge (what to do about a finding, in which order, in which voice), so it lives here
and not in ``services.llm``, which only carries text to and from a model.
"""
