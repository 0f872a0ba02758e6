"""The domain: use-cases plus the leaf packages they orchestrate.

May import nothing from ``schema`` or ``api``. ``services.errors`` and ``services.domain`` are leaves any layer
may import; ``services.analysis`` stays pure (arrays in, typed results out).
"""
