"""The dry run's zero-noise forecast (``zne_forecast``): F at each scale, the value as the
run's own extrapolation of the model's outputs, its error the shot noise through the
extrapolation and the members' scatter; and the plan and CLI that show it."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qwalk_circuits.analysis import zne
from qwalk_circuits.analysis.ensembles import jackknife_errors
from qwalk_circuits.analysis.zne_distribution import nearest_distribution
from qwalk_circuits.cli.render_plan import print_plan
from qwalk_circuits.device_plan import expected_sampled_tvd, member_spread
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan
from qwalk_circuits.zne_forecast import (
    ScaledOutputs,
    ZneForecast,
    expected_zne_tvd,
    mixed_at_scales,
    scale_fidelities,
    zero_noise_tvd,
    zne_inputs,
)

SCALES = [1, 3, 5]


class Linear:
    """An experiment whose main observable is linear in the distribution, with a
    multinomial shot error and the base class's global mix."""

    main_observable = "x"

    def __init__(self, size: int = 6) -> None:
        self.weights = np.arange(size, dtype=float)

    def observables(self, p: np.ndarray) -> dict[str, float]:
        return {"x": float(self.weights @ p)}

    def observable_errors(self, p: np.ndarray, shots: int) -> dict[str, float]:
        mean = self.weights @ p
        return {"x": float(math.sqrt(max(p @ self.weights**2 - mean**2, 0.0) / shots))}

    def noise_outcome(self, size: int) -> np.ndarray:
        return np.full(size, 1 / size)

    def calibration_mix(self, p: np.ndarray, fidelity: float) -> tuple[np.ndarray, float]:
        return fidelity * p + (1 - fidelity) * self.noise_outcome(p.size), 1.0


def test_each_scale_counts_the_two_qubit_errors_lambda_times():
    f = scale_fidelities(0.8, 0.05, SCALES, factor=4.0)
    assert f[0] == 0.8
    assert f[1] / f[0] == pytest.approx(math.exp(-2 * 4 * 0.05), rel=1e-12)
    assert f[2] / f[1] == pytest.approx(math.exp(-2 * 4 * 0.05), rel=1e-12)


def test_the_exponential_recovers_the_unfolded_part_of_the_mix_exactly():
    """Under the mix F_lambda p + (1 - F_lambda) u with F_lambda = B exp(-(lambda - 1) e),
    a linear observable is exponential in lambda: extrapolated, it is the mix at
    F_0 = B exp(e): what is not folded (one-qubit gates, readout) stays in it; to 1e-10."""
    experiment = Linear()
    p = np.array([0.5, 0.3, 0.1, 0.1, 0.0, 0.0])
    base, e = 0.7, 0.15
    forecast = ZneForecast(experiment, mixed_at_scales(
        experiment, p, scale_fidelities(base, e, SCALES), None), SCALES, "exponential")
    f0 = base * math.exp(e)
    expected = experiment.observables(experiment.calibration_mix(p, f0)[0])["x"]
    assert forecast.value == pytest.approx(expected, abs=1e-10)
    assert forecast.spread == 0.0


def test_richardsons_value_and_error_are_its_weights_on_the_scales():
    experiment = Linear()
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.0, 0.0])
    scaled = mixed_at_scales(experiment, p, [0.9, 0.7, 0.5], None)
    forecast = ZneForecast(experiment, scaled, SCALES, "richardson")
    w = zne.richardson_weights(SCALES)
    values = [experiment.observables(q)["x"] for q in scaled.outputs]
    errors = [experiment.observable_errors(q, 1000)["x"] for q in scaled.outputs]
    assert forecast.value == pytest.approx(float(w @ values), rel=1e-12)
    assert forecast.shot_error(1000) == pytest.approx(
        math.sqrt(sum((wi * ei) ** 2 for wi, ei in zip(w, errors, strict=True))), rel=1e-12)


def test_the_exponentials_shot_error_matches_an_independent_monte_carlo():
    experiment = Linear()
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.0, 0.0])
    scaled = mixed_at_scales(experiment, p, [0.9, 0.7, 0.55], None)
    forecast = ZneForecast(experiment, scaled, SCALES, "exponential")
    values = np.array([experiment.observables(q)["x"] for q in scaled.outputs])
    errors = np.array([experiment.observable_errors(q, 4000)["x"] for q in scaled.outputs])
    rows = values + np.random.default_rng(99).standard_normal((20000, 3)) * errors
    independent = zne.finite_std(zne.extrapolate_rows(SCALES, rows, "exponential"))
    # 2000 fixed draws: the error of a standard deviation is ~ 1 / sqrt(2 x 2000) = 1.6 %
    assert forecast.shot_error(4000) == pytest.approx(independent, rel=0.08)
    # and it is not Richardson's: the exponential amplifies the noise more here
    assert forecast.shot_error(4000) > 1.2 * math.sqrt(
        np.sum((zne.richardson_weights(SCALES) * errors) ** 2))


def test_the_members_scatter_goes_through_the_extrapolation():
    """Each leave-one-out mean is extrapolated: for a linear observable under the
    exponential (exact here) that is the exact members' jackknife mixed at F_0."""
    experiment = Linear()
    members = np.random.default_rng(3).dirichlet(np.ones(6), size=12)
    base, e = 0.75, 0.1
    fidelities = scale_fidelities(base, e, SCALES)
    forecast = ZneForecast(experiment, mixed_at_scales(experiment, members.mean(axis=0),
                                                       fidelities, members),
                           SCALES, "exponential")
    expected = member_spread(experiment, members, base * math.exp(e))
    assert forecast.spread == pytest.approx(expected, rel=1e-8)
    plain = jackknife_errors(members, experiment.observables)["x"]
    assert expected == pytest.approx(base * math.exp(e) * plain, rel=1e-9)


def test_a_single_scale_is_its_own_zero_noise_value():
    experiment = Linear()
    q = np.full(6, 1 / 6)
    forecast = ZneForecast(experiment, ScaledOutputs([q], [1.0], None), [1], "richardson")
    assert forecast.value == experiment.observables(q)["x"]
    assert forecast.shot_error(100) == experiment.observable_errors(q, 100)["x"]


TVD_P = np.array([0.30, 0.25, 0.15, 0.10, 0.08, 0.06, 0.04, 0.02])


def _tvd_forecast(method: str, shots: int, error: float = 0.2) -> tuple[float, float]:
    """The zero-noise TVD forecast of TVD_P under the mix, nothing left unfolded (base F
    exp(-error): F_0 = 1), at ``shots`` per scale."""
    experiment = Linear(TVD_P.size)
    scaled = mixed_at_scales(experiment, TVD_P,
                             scale_fidelities(math.exp(-error), error, SCALES), None)
    return expected_zne_tvd(scaled, SCALES, method, TVD_P, shots)


def test_the_zero_noise_tvd_forecast_is_a_shot_floor_where_the_exponential_undoes_the_mix():
    """The exponential recovers the mix's zero-noise distribution exactly, so what is left
    is shot noise: vanishing with the shots, halved by four times the shots."""
    assert _tvd_forecast("exponential", 10**12)[0] < 1e-4
    floor, spread = _tvd_forecast("exponential", 20000)
    quarter, _ = _tvd_forecast("exponential", 80000)
    assert 0 < spread < floor
    assert 0.45 < quarter / floor < 0.55
    # the extrapolation amplifies the shot noise: above one sampled distribution's floor
    assert floor > 2 * expected_sampled_tvd(TVD_P, TVD_P, 20000)
    # more noise to undo, more amplification
    assert _tvd_forecast("exponential", 20000, error=0.4)[0] > floor


def test_the_zero_noise_tvd_forecast_holds_richardsons_bias_under_the_mix():
    """Richardson's polynomial does not undo F^lambda: at unlimited shots its forecast is
    the TVD of the projected weighted sum of the three mixes."""
    experiment = Linear(TVD_P.size)
    mixes = mixed_at_scales(experiment, TVD_P,
                            scale_fidelities(math.exp(-0.5), 0.5, SCALES), None).outputs
    quasi = zne.richardson_weights(SCALES) @ np.array(mixes)
    bias = 0.5 * np.abs(nearest_distribution(quasi)[0] - TVD_P).sum()
    assert bias > 0.01
    assert _tvd_forecast("richardson", 10**12, error=0.5)[0] == pytest.approx(bias, abs=1e-4)


def test_at_unlimited_shots_the_exponential_leaves_only_the_unfolded_errors():
    """With one-qubit gates (not folded) in F, the exponential recovers the mix at
    F_0 = B exp(e) < 1: its TVD is (1 - F_0) TVD(u, p), to 1e-10; 0 with nothing unfolded."""
    experiment = Linear(TVD_P.size)
    base, e = 0.5, 0.4
    scaled = mixed_at_scales(experiment, TVD_P, scale_fidelities(base, e, SCALES), None)
    uniform = 0.5 * np.abs(experiment.noise_outcome(TVD_P.size) - TVD_P).sum()
    assert zero_noise_tvd(scaled, SCALES, "exponential", TVD_P) == pytest.approx(
        (1 - base * math.exp(e)) * uniform, abs=1e-10)
    clean = mixed_at_scales(experiment, TVD_P, scale_fidelities(math.exp(-e), e, SCALES), None)
    assert zero_noise_tvd(clean, SCALES, "exponential", TVD_P) < 1e-10
    # the sampled forecast sits above it: the shot floor on top
    assert expected_zne_tvd(scaled, SCALES, "exponential", TVD_P, 20000)[0] > zero_noise_tvd(
        scaled, SCALES, "exponential", TVD_P)


def test_one_scale_gives_the_sampled_distributions_own_tvd():
    """Sent at scale 1 only (no two-qubit gate), the forecast is the sampled output's TVD:
    the normal approximation of the plain dry run's floor, within the Monte Carlo's error."""
    q = 0.9 * TVD_P + 0.1 / TVD_P.size
    mean, spread = expected_zne_tvd(ScaledOutputs([q], [0.5], None), [1], "richardson",
                                    TVD_P, 4000)
    floor = expected_sampled_tvd(q, TVD_P, 2000)  # half the shots kept
    assert abs(mean - floor) < 4 * spread / math.sqrt(200) + 0.02 * floor


def _fidelity(total: float, gates: float, two_qubit_error: float) -> SimpleNamespace:
    return SimpleNamespace(total=total, gates=gates, two_qubit_error=two_qubit_error)


def _circuit(two_qubit: bool) -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    if two_qubit:
        circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def _run(mitigated: bool, method: str = "exponential") -> SimpleNamespace:
    return SimpleNamespace(zne_scales=SCALES, zne_extrapolation=method,
                           readout_mitigation=mitigated)


def test_inputs_read_mitigated_values_without_readout_and_skip_gate_free_circuits():
    fids = [_fidelity(0.99, 1.0, 0.0), _fidelity(0.8, 0.9, 0.1)]
    inputs = zne_inputs(Linear(), [_circuit(False), _circuit(True)], None, _run(True), fids,
                        4.0, [1.0, 0.95], None)
    assert inputs is not None
    assert inputs[0].scales == [1] and inputs[0].fidelities == [1.0]
    assert inputs[1].values == "readout-mitigated" and inputs[1].method == "exponential"
    # gates only (readout undone), 2q errors x 4 at scale 1, the idle factor unfolded
    assert inputs[1].fidelities[0] == pytest.approx(0.9 * 0.95 * math.exp(-3 * 0.1))
    assert inputs[1].fidelities[2] == pytest.approx(0.9 * 0.95 * math.exp(-(4 * 5 - 1) * 0.1))
    raw = zne_inputs(Linear(), [_circuit(True)], None, _run(False), fids[1:], 1.0, [1.0], None)
    assert raw is not None and raw[0].values == "raw" and raw[0].fidelities[0] == 0.8
    assert zne_inputs(Linear(), [], None, SimpleNamespace(zne_scales=None), fids, 1.0,
                      [1.0, 1.0], None) is None


def test_a_two_qubit_gate_without_a_calibrated_error_is_still_folded():
    """The submission folds every circuit with a two-qubit gate (``foldable_scales``),
    whatever the calibration says of its error: the forecast extrapolates it too (with
    Richardson's 2.3x amplified error), and F is the same at every scale."""
    inputs = zne_inputs(Linear(), [_circuit(True)], None, _run(True, "richardson"),
                        [_fidelity(0.95, 0.99, 0.0)], 1.0, [1.0], None)
    assert inputs is not None and inputs[0].scales == SCALES
    assert inputs[0].fidelities == [0.99, 0.99, 0.99]
    experiment, p = Linear(), np.array([0.5, 0.5, 0, 0, 0, 0])
    forecast = ZneForecast(experiment, inputs[0].outputs(experiment, p, None, False),
                           inputs[0].scales, "richardson")
    plain = experiment.observable_errors(experiment.calibration_mix(p, 0.99)[0], 500)["x"]
    assert forecast.shot_error(500) == pytest.approx(
        plain * float(np.linalg.norm(zne.richardson_weights(SCALES))), rel=1e-12)


def test_an_experiments_own_emulation_runs_at_every_scale_times_the_factor():
    asked = []

    class Emulating(Linear):
        def device_emulation(self, isa, target, two_qubit_factor=1.0, readout_errors=True):
            asked.append((two_qubit_factor, readout_errors))
            return [(np.full((2, 6), two_qubit_factor), np.ones(2))]

    known = [(np.zeros((2, 6)), np.ones(2))]
    fids = [_fidelity(0.8, 0.9, 0.1)]
    raw = zne_inputs(Emulating(), [_circuit(True)], "target", _run(False, "richardson"),
                     fids, 4.0, [1.0], known)
    assert asked == [(12.0, True), (20.0, True)]  # scale 1: the plan's own emulation
    assert raw is not None and raw[0].values == "raw"
    assert raw[0].emulations is not None and raw[0].emulations[0] is known[0]
    asked.clear()
    mitigated = zne_inputs(Emulating(), [_circuit(True)], "target", _run(True, "richardson"),
                           fids, 4.0, [1.0], known)
    # the run extrapolates readout-mitigated values: every scale emulated without readout
    assert asked == [(4.0, False), (12.0, False), (20.0, False)]
    assert mitigated is not None and mitigated[0].values == "readout-mitigated"


def _zne_config(method: str = "richardson"):
    data = load_config("fake_fez").model_dump()
    data.pop("name")
    data["run"].update(zne_scales=SCALES, zne_extrapolation=method)
    return parse_config(data, "zne", "test")


def walk(**settings):
    return get_experiment("coined-walk").from_settings(
        {"position_qubits": 3, "steps": 3, **settings})


def test_the_plan_forecasts_the_zero_noise_signature_from_its_own_scales(capsys):
    plain = plan(walk(), load_config("fake_fez"), 500)
    assert "zne" not in plain["signature"]
    assert all("zne_observable_predicted" not in c for c in plain["circuits"])
    report = plan(walk(), _zne_config(), 500)
    forecast = report["signature"]["zne"]
    assert forecast["scales"] == SCALES and forecast["extrapolation"] == "richardson"
    w = zne.richardson_weights(SCALES)
    assert forecast["predicted"] == pytest.approx(float(w @ forecast["per_scale"]), rel=1e-12)
    assert forecast["per_scale"][0] < forecast["per_scale"][1] < forecast["per_scale"][2]
    # extrapolating amplifies the shot noise: the zero-noise error is the larger
    assert forecast["error"] > report["signature"]["error"]
    assert report["circuits"][-1]["zne_observable_predicted"] == pytest.approx(
        forecast["predicted"], rel=1e-12)
    real = report["signature_real_device"]["zne"]
    assert real["fidelities"][0] < forecast["fidelities"][0]
    # t = 0 has no two-qubit gate: sent at scale 1 only, read with the readout undone
    experiment, first = walk(), report["circuits"][0]
    start = np.asarray(experiment.reference_distributions()[0], dtype=float)
    unread = experiment.calibration_mix(start, first["gate_fidelity"])[0]
    assert first["two_qubit_gates"] == 0
    assert first["zne_observable_predicted"] == pytest.approx(
        experiment.observables(unread)["sigma"], rel=1e-12)
    # the zero-noise distribution's TVD: the shot floor the extrapolation leaves, at least
    assert all(c["zne_tvd_predicted"] > c["tvd_predicted_sampled"] - c["tvd_predicted"]
               for c in report["circuits"][1:])
    assert all("zne_tvd_predicted" not in c for c in plain["circuits"])
    assert all(0 <= c["zne_tvd_limit"] < c["zne_tvd_predicted"]
               for c in report["circuits"][1:])
    print_plan(report, False)
    out = capsys.readouterr().out
    assert out.count("signature through ZNE") == 2 and "ZNE pred." in out
    assert "ZNE TVD pred." in out


def test_the_forecast_matches_the_device_paths_zero_noise_sigma_on_fake_fez(tmp_path):
    """The 8-site walk at t = 1, 2 through the device path with Richardson ZNE: the
    forecast's error within 1.5x of the run's bootstrap error (BENCHMARKS.md §22 measures
    0.79-1.22 over 24 steps), and its value within 3 of the run's errors of the run's; the
    same for the zero-noise distribution's TVD (a shot floor here: 0.01-0.02)."""
    from qwalk_circuits.execution import ResultStore
    from qwalk_circuits.pipeline import run

    config, shots = _zne_config(), 4000
    forecast = plan(walk(steps=2), config, shots)["circuits"]
    summary = run(walk(steps=2), config, shots=shots, seed=1234,
                  store=ResultStore(tmp_path / "runs.sqlite"), progress=False).summary
    block = summary["comparison"]["zne"]
    for t in (1, 2):
        value, error = block["zne"]["sigma"][t], block["zne_errors"]["sigma"][t]
        predicted = forecast[t]["zne_observable_predicted"]
        assert 1 / 1.5 < forecast[t]["zne_observable_error"] / error < 1.5, (t, error)
        assert abs(predicted - value) < 3 * error, (t, predicted, value, error)
        # the zero-noise distribution's TVD, and its spread against the run's bootstrap
        tvd = block["tvd"][block["extrapolated"]]
        measured, spread = tvd["zne"][t], tvd["zne_error"][t]
        assert abs(forecast[t]["zne_tvd_predicted"] - measured) < 3 * spread, (t, measured)
        assert 1 / 1.5 < forecast[t]["zne_tvd_spread"] / spread < 1.5, (t, spread)


def test_an_outcome_that_is_no_distribution_gets_no_zero_noise_tvd():
    """Backscattering's outcome is momentum slots, not a distribution: no multinomial draws
    it, so the plan leaves its zero-noise TVD out (None) rather than report a number."""
    from qwalk_circuits.device_plan import _prediction
    from qwalk_circuits.zne_forecast import ZneInputs

    class Slots(Linear):
        def noise_outcome(self, size: int) -> np.ndarray:
            return np.full(size, 1 / 64)

    inputs = ZneInputs(SCALES, "exponential", "raw", [0.8, 0.6, 0.4])
    p = TVD_P
    for experiment, expected in ((Slots(p.size), False), (Linear(p.size), True)):
        out = _prediction(experiment, p, 0.8, 1000, zne=inputs)
        assert (out["zne_tvd_predicted"] is not None) is expected
        assert (out["zne_tvd_limit"] is not None) is expected
