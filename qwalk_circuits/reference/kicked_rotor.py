"""Quantum kicked rotor (exact map, FFT split step) and the classical standard map.

H = p^2/2 + K cos(theta) sum_n delta(t - n), [theta, p] = i kbar, p = kbar (m + beta)
with m an integer and beta the quasi-momentum.  One period: the kick
exp(-i (K/kbar) cos theta) (diagonal in theta), then the free rotation
exp(-i p^2 / (2 kbar)) (diagonal in m).  N = 2**n momentum states
m = -N/2 .. N/2-1.  Observables in integer momentum units: <m^2>.

Classical: p' = p + K sin(theta), theta' = theta + p' (the standard map; the
sign of the kick is immaterial for <p^2>), <p^2> ~ D t with Rechester-White
D = (K^2/2)(1 - 2 J2(K) - 2 J1(K)^2 + 2 J2(K)^2 + 2 J3(K)^2); in integer units
<m^2> = <p^2> / kbar^2.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import jv


def momentum_grid(momentum_qubits: int) -> np.ndarray:
    """Integer momenta m = -N/2 .. N/2 - 1 in numpy FFT order (0, 1, .., -1)."""
    size = 1 << momentum_qubits
    return np.fft.fftfreq(size, d=1.0 / size)


def quantum_p2(kick: float, kbar: float, kicks: int, momentum_qubits: int,
               betas: Sequence[float] = (0.0,)) -> np.ndarray:
    """<m^2>(t) for t = 0..kicks from m = 0, averaged over the quasi-momenta ``betas``."""
    m = momentum_grid(momentum_qubits)
    size = m.size
    theta = 2 * np.pi * np.arange(size) / size
    kick_phase = np.exp(-1j * (kick / kbar) * np.cos(theta))
    out = np.zeros(kicks + 1)
    for beta in betas:
        free_phase = np.exp(-1j * kbar * (m + beta) ** 2 / 2)
        psi = np.zeros(size, dtype=complex)
        psi[0] = 1.0  # m = 0
        for t in range(1, kicks + 1):
            angle = np.fft.ifft(psi)  # to theta: psi_m -> sum_m psi_m e^{i m theta}
            psi = np.fft.fft(angle * kick_phase) * free_phase
            out[t] += float(np.abs(psi) ** 2 @ m**2)
    return out / len(betas)


def classical_p2(kick: float, kicks: int, particles: int = 20_000, seed: int = 0
                 ) -> np.ndarray:
    """<p^2>(t) of the standard map from p = 0, theta uniform (not reduced mod 2 pi in p)."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0, 2 * np.pi, size=particles)
    p = np.zeros(particles)
    out = np.zeros(kicks + 1)
    for t in range(1, kicks + 1):
        p = p + kick * np.sin(theta)
        theta = (theta + p) % (2 * np.pi)
        out[t] = float(np.mean(p**2))
    return out


def rechester_white_diffusion(kick: float) -> float:
    """D with the Bessel corrections (Rechester & White, PRL 44, 1586 (1980))."""
    j1, j2, j3 = jv(1, kick), jv(2, kick), jv(3, kick)
    return kick**2 / 2 * (1 - 2 * j2 - 2 * j1**2 + 2 * j2**2 + 2 * j3**2)
