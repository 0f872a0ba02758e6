"""One BLAS thread per process, chosen before numpy loads OpenBLAS.

Why: numpy's bundled OpenBLAS starts a pool of one thread per core the moment numpy is imported, and the pool's
threads spin while they wait for work: in a fresh process on the 2-core box about 0.1 s of CPU (0.05 s during
``import numpy``, which also takes 15 ms longer, and about 0.04 s of spinning just after), a tenth of a cold
analysis; on a machine whose other core is busy that CPU is paid in wall time. The pool is never of use here:
``analyze`` runs its own threads (``AnalysisConfig.threads``) and has always held BLAS to one thread during a run
(threadpoolctl, in ``engine``), and its matrix products (the true-peak phase pairs, the IIR's 64-sample blocks) are
too small for OpenBLAS to split anyway: without that cap a warm 4-minute analysis takes the same time (measured,
1 and 2 analysis threads). Nothing else in the project uses numpy.

The environment decides if it already says (``setdefault``), and the variable only matters before numpy's first
import in the process, which is why the package calls this before importing any of its modules. Children started
later inherit it, as they would an explicit setting. ``analyze`` keeps its threadpoolctl cap for a host process
that imported numpy first.
"""

from __future__ import annotations

import os

BLAS_THREADS_VARIABLE = "OPENBLAS_NUM_THREADS"


def single_threaded_blas() -> None:
    """Ask OpenBLAS for one thread, unless the environment already chose a count."""
    os.environ.setdefault(BLAS_THREADS_VARIABLE, "1")
