"""The HSR dephasing reference against QuTiP's mesolve, N = 32 .. 512 sites.

Same model on both sides: H = -J sum (|x><x+1| + h.c.) on a cycle of N sites,
collapse operators sqrt(gamma) |x><x| (so coherences decay at rate gamma),
start on one site, evolved to t = 4 / J at gamma = 1.  The reference is
``qwalk_circuits.reference.dephasing.hsr_evolution`` (expm_multiply on the
sparse Liouvillian); QuTiP's ``mesolve`` integrates the same equation
(atol 1e-10, rtol 1e-8) with QuTiP's Liouvillian of H plus the dissipator
gamma (sum_x P_x . P_x - 1) as a QuTiP superoperator (built once, outside the
timing; its build time is shown apart).  QuTiP's own route with N collapse
operators gives the same model (the test suite checks it at N = 16) but
takes ~50 s to build at N = 64 and grows like N^4.  Printed: time of each,
the ratio mesolve / reference (> 1: the reference is faster), and the
largest difference between the two density matrices.

N = 32 .. 512 by default and with ``--full`` (about a minute); ``--quick``:
N = 32, 64.  Everything on the QuTiP side is sparse (CSR): with dense
operators its Liouvillian alone takes ~40 s at N = 128.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from qwalk_circuits.reference.ctqw import hopping_hamiltonian
from qwalk_circuits.reference.dephasing import hsr_evolution

from ._common import fmt_ms, fmt_ratio, markdown_table, print_header, time_side_by_side

MODULE = "benchmarks.bench_dephasing"
GAMMA, HOPPING, FINAL_TIME = 1.0, 1.0, 4.0
BUILD_SECONDS: dict[int, float] = {}


def _projector_twirl(qutip: object, sites: int) -> object:
    """sum_x sprepost(P_x, P_x) as one diagonal superoperator.

    Summing N ``sprepost`` terms (or passing N collapse operators) takes QuTiP
    ~50 s at N = 64 and grows like N^4; the sum is diagonal in the
    column-stacked basis (1 on the entries rho[x, x]), so it is built directly.
    """
    import scipy.sparse as sp

    diagonal = np.zeros(sites * sites)
    diagonal[np.arange(sites) * (sites + 1)] = 1.0
    return qutip.Qobj(sp.diags(diagonal).tocsr(),  # type: ignore[attr-defined]
                      dims=[[[sites], [sites]], [[sites], [sites]]], superrep="super")


def contenders(sites: int) -> dict[str, object]:
    import qutip

    h = hopping_hamiltonian(sites, HOPPING)
    rho0 = np.zeros((sites, sites), dtype=complex)
    rho0[sites // 2, sites // 2] = 1
    build_start = time.perf_counter()
    liouvillian = qutip.liouvillian(qutip.Qobj(h).to("CSR")) + GAMMA * (
        _projector_twirl(qutip, sites) - qutip.to_super(qutip.qeye(sites)).to("CSR"))
    BUILD_SECONDS[sites] = time.perf_counter() - build_start
    qrho = qutip.Qobj(rho0)

    def reference() -> np.ndarray:
        return hsr_evolution(h, rho0, GAMMA, [FINAL_TIME])[FINAL_TIME]

    def mesolve() -> np.ndarray:
        result = qutip.mesolve(liouvillian, qrho, [0.0, FINAL_TIME],
                               options={"atol": 1e-10, "rtol": 1e-8})
        return result.states[-1].full()

    return {"reference": reference, "qutip": mesolve}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="N = 32, 64")
    size.add_argument("--full", action="store_true", help="N = 32 .. 512 (the default)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = [32, 64] if args.quick else [32, 64, 128, 256, 512]
    print_header("HSR dephasing reference against QuTiP mesolve (bench_dephasing)", MODULE, argv)
    try:
        import qutip  # noqa: F401
    except ImportError:
        print("QuTiP is not installed (pip install qutip): nothing to compare.\n")
        return 0
    start = time.perf_counter()
    rows = []
    for sites in sizes:
        timings, results = time_side_by_side(contenders(sites), args.repeats)  # type: ignore[arg-type]
        ref, qt = timings["reference"], timings["qutip"]
        diff = float(np.abs(results["reference"] - results["qutip"]).max())
        rows.append([sites, fmt_ms(ref.best), fmt_ms(qt.best), fmt_ratio(qt.best / ref.best),
                     fmt_ms(BUILD_SECONDS[sites]), f"{diff:.1e}"])
    print(f"gamma = {GAMMA}, J = {HOPPING}, t = {FINAL_TIME}; {args.repeats} interleaved "
          "repeats, best kept.\n")
    print(markdown_table(["N", "reference ms", "mesolve ms", "mesolve / reference",
                          "QuTiP Liouvillian build ms (not timed above)", "max |Δρ|"], rows))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
