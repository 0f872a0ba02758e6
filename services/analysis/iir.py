"""A cascade of biquads run as a blocked state-space filter with numpy only (no ``scipy.signal``).

Why: ``scipy.signal`` costs ~0.6 s to import (it pulls in scipy.stats, interpolate, optimize), more than
the whole analysis of a 4-minute song, and the only thing we need from it is an IIR filter. Blocked
state-space filtering is exact (not an FIR approximation): samples are grouped in chunks of ``M``; within a
chunk the output is a small Toeplitz matrix product plus the response to the chunk's start state; the start
states of all chunks follow from a two-level scan of the affine state updates: one matrix product runs the
recurrence inside groups of ``_GROUP`` chunks (the state matrix's powers laid out block-lower-triangular), and a
log-depth scan carries state across the few groups. (A log-depth scan over every chunk spent twice as long, in
tiny ``(n, n)`` products.) The state path is float64 matrix arithmetic, so the result matches
``scipy.signal.sosfilt`` to ~1e-11.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
Floats = npt.NDArray[np.floating]

_GROUP = 16  # chunks one matrix product carries state through (a 64x64 float64 matrix for K-weighting's 4 states)


def _state_space(sos: F64) -> tuple[F64, F64, F64, float]:
    """(A, B, C, D) of biquads in series, each in transposed direct form II."""
    a_mat, b_vec, c_vec, d = np.zeros((0, 0)), np.zeros(0), np.zeros(0), 1.0
    for b0, b1, b2, _, a1, a2 in sos:
        a2x2 = np.array([[-a1, 1.0], [-a2, 0.0]])
        b2v = np.array([b1 - a1 * b0, b2 - a2 * b0])
        c2v = np.array([1.0, 0.0])
        n = len(b_vec)
        new_a = np.zeros((n + 2, n + 2))
        new_a[:n, :n] = a_mat
        new_a[n:, :n] = np.outer(b2v, c_vec)  # this section is driven by the previous output
        new_a[n:, n:] = a2x2
        b_vec = np.concatenate([b_vec, b2v * d])
        c_vec = np.concatenate([b0 * c_vec, c2v])
        a_mat, d = new_a, b0 * d
    return a_mat, b_vec, c_vec, d


class BlockIIR:
    """Streaming multi-channel IIR; ``push`` returns outputs for whole chunks (a tail waits for the next push)."""

    def __init__(self, sos: F64, *, channels: int, chunk: int = 64, dtype: type[np.floating] = np.float64) -> None:
        a, b, c, d = _state_space(np.asarray(sos, dtype=np.float64))
        m = chunk
        powers = [np.eye(len(a))]
        for _ in range(m):
            powers.append(powers[-1] @ a)
        h = np.array([d] + [float(c @ powers[k] @ b) for k in range(m - 1)])
        idx = np.arange(m)
        lag = idx[:, None] - idx[None, :]
        self._dtype = dtype
        self._toeplitz_t = np.where(lag >= 0, h[np.clip(lag, 0, None)], 0.0).T.astype(dtype)  # y = x @ T^T
        self._to_state_t = np.stack([powers[m - 1 - k] @ b for k in range(m)]).astype(dtype)  # (m, n): x @ R^T
        self._from_state_t = np.stack([c @ powers[i] for i in range(m)]).T.astype(dtype)  # (n, m): s @ O^T
        self._p = powers[m]
        self._m = m
        self._group_t, self._enter_t, self._group_p = _group_matrices(self._p)
        self._state = np.zeros((channels, len(a)))
        self._carry = np.zeros((channels, 0))

    def push(self, xt: Floats) -> Floats:
        buf = np.concatenate([self._carry, xt], axis=1) if self._carry.shape[1] else xt
        n = buf.shape[1] // self._m * self._m
        self._carry = np.array(buf[:, n:], dtype=np.float64)
        if n == 0:
            return np.zeros((buf.shape[0], 0))
        return self._run(np.asarray(buf[:, :n]))

    def flush(self) -> Floats:
        """Outputs for the samples still waiting for a full chunk (zero-padded; the state is then stale)."""
        r = self._carry.shape[1]
        if r == 0:
            return np.zeros((self._carry.shape[0], 0))
        pad = np.zeros((self._carry.shape[0], self._m))
        pad[:, :r] = self._carry
        self._carry = np.zeros((pad.shape[0], 0))
        return self._run(pad)[:, :r]

    def _run(self, x: Floats) -> Floats:
        ch, k = x.shape[0], x.shape[1] // self._m
        chunks = x.reshape(ch, k, self._m).astype(self._dtype, copy=False)
        zero_state = chunks @ self._toeplitz_t
        # Each chunk's own push on the state, in the working dtype (one pass over the samples); the scan that
        # carries state across chunks runs in float64, so rounding does not build up over a long file.
        ends = (chunks @ self._to_state_t).astype(np.float64)  # (ch, k, n)
        ends[:, 0] += self._state @ self._p.T  # the carried state enters as part of chunk 0's update: P s0
        # ends[j] = sum_i P^(j-i) u_i, so P^(j+1) s0 rides along
        ends = self._scan(ends)
        starts = np.concatenate([self._state[:, None, :], ends[:, :-1]], axis=1)
        self._state = ends[:, -1].copy()
        zero_state += starts.astype(self._dtype, copy=False) @ self._from_state_t
        out: Floats = zero_state.reshape(ch, k * self._m)
        return out

    def _scan(self, u: F64) -> F64:
        """Chunk end states ``e_j = P e_(j-1) + u_j`` (``e_-1 = 0``) of ``(ch, k, n)`` chunk updates ``u``."""
        ch, k, n = u.shape
        groups = -(-k // _GROUP)
        if groups * _GROUP != k:
            padded = np.zeros((ch, groups * _GROUP, n))
            padded[:, :k] = u
            u = padded
        ends = u.reshape(ch, groups, _GROUP * n) @ self._group_t  # each group on its own, from a zero state
        totals = ends[:, :, -n:].copy()  # (ch, groups, n): each group's own end state
        step, p = 1, self._group_p
        while step < groups:  # Hillis-Steele scan over the groups: totals[g] = sum_h P^(G (g - h)) t_h
            totals[:, step:] += totals[:, :-step] @ p.T
            p, step = p @ p, step * 2
        if groups > 1:
            ends[:, 1:] += totals[:, :-1] @ self._enter_t  # the state each group starts in, carried through it
        out: F64 = ends.reshape(ch, groups * _GROUP, n)[:, :k]
        return out


def _group_matrices(p: F64) -> tuple[F64, F64, F64]:
    """For ``G = _GROUP`` chunks of state matrix ``p``: the ``(G n, G n)`` map from a group's updates to its chunk
    end states (block ``(b, a)`` is ``(p^(a-b))^T`` for ``b <= a``), the ``(n, G n)`` map from the state a group
    starts in to what it adds to each end state, and ``p^G``."""
    n = len(p)
    powers = [np.eye(n)]
    for _ in range(_GROUP):
        powers.append(powers[-1] @ p)
    within = np.zeros((_GROUP * n, _GROUP * n))
    for a in range(_GROUP):
        for b in range(a + 1):
            within[b * n : (b + 1) * n, a * n : (a + 1) * n] = powers[a - b].T
    enter = np.concatenate([powers[a + 1].T for a in range(_GROUP)], axis=1)
    return within, enter, powers[_GROUP]
