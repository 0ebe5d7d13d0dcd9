"""anderson-chain: the Anderson chain in the one-hot encoding.  Its physics in the exact
brickwork model (static disorder saturates sigma below the clean and the dynamic walk's),
every member exact on Aer, and the post-selection that discards what the model cannot
produce."""

from __future__ import annotations

import numpy as np
import pytest

from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import load_config
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, run

from ..claims.claims import quoted
from .ensemble_checks import assert_every_member_equals_its_reference


def make(**settings):
    return get_experiment("anderson-chain").from_settings(settings)


def exact_sigma(experiment):
    return np.array([experiment.observables(p)["sigma"]
                     for p in experiment.reference_distributions()])


def test_static_disorder_saturates_below_the_clean_and_the_dynamic_walk():
    """24 sites, 12 steps of dt = 0.8, W = 6, 100 realisations (the model's own values):
    static sigma moves by under 5 % over the last 4 measured steps while dynamic sigma
    grows (diffusion), and ends below both; the clean walk has spread furthest."""
    quoted("README.md", "In the exact model (24 sites, 12 steps of dt = 0.8, W = 6, 100 "
           "realisations) static σ moves by under 5 % over the last four steps and ends "
           "below the dynamic and the clean walk's.")
    settings = {"sites": 24, "time": 9.6, "time_steps": 12, "W": 6.0, "realisations": 100}
    static, dynamic, clean = (exact_sigma(make(**settings, disorder=d))
                              for d in ("static", "dynamic", "none"))
    assert static[-1] / static[-4] - 1 < 0.05
    assert dynamic[-1] / dynamic[-4] - 1 > 0.05
    assert static[-1] < dynamic[-1] - 1.0
    assert static[-1] < clean[-1] - 2.0


@pytest.mark.parametrize("disorder", ["none", "static", "dynamic"])
@pytest.mark.parametrize("potential", ["uniform", "aubry-andre"])
def test_every_member_equals_its_reference(disorder, potential):
    assert_every_member_equals_its_reference(make(sites=6, time=2.4, time_steps=3,
                                                  disorder=disorder, potential=potential,
                                                  realisations=3))


@pytest.mark.parametrize("disorder", ["none", "static", "dynamic"])
def test_every_ring_member_equals_its_reference(disorder):
    """The ring's closing bond on Aer: 6 sites, T = 4 steps of dt = 0.8, so the walk from
    site 3 has crossed bond (5, 0) (the open chain's reference differs)."""
    ring = make(sites=6, time=3.2, time_steps=4, disorder=disorder, realisations=3,
                boundary="ring")
    assert_every_member_equals_its_reference(ring)
    open_ = make(sites=6, time=3.2, time_steps=4, disorder=disorder, realisations=3)
    assert np.abs(ring.reference_ensemble()[-1] - open_.reference_ensemble()[-1]).max() > 0.05


def test_the_ring_adds_one_bond_per_step_and_names_itself():
    ring = make(sites=8, time=1.6, time_steps=2, boundary="ring", realisations=2)
    step = next(iter(ring.layer_circuits().values()))
    assert step.count_ops()["xx_plus_yy"] == 8
    assert next(iter(make(sites=8, realisations=2).layer_circuits().values())
                ).count_ops()["xx_plus_yy"] == 7
    pairs = {tuple(sorted(step.find_bit(q).index for q in inst.qubits))
             for inst in step.data if inst.operation.name == "xx_plus_yy"}
    assert (0, 7) in pairs
    long = make(sites=8, time=8.0, time_steps=10, boundary="ring", realisations=2)
    assert "ring's far side" in long.result_warnings({})[0]


def test_an_odd_ring_is_refused_with_what_to_do():
    with pytest.raises(QwalkError, match=r"even number of sites.*sites=6 or 8.*boundary=open"):
        make(sites=7, boundary="ring")


def test_the_clean_chain_members_are_identical_copies():
    """The circuits' own values: every clean member binds the same (zero) energies."""
    experiment = make(sites=6, disorder="none", realisations=3)
    template = experiment.templates("all-to-all")[-1]
    values = experiment.template_values(len(experiment.times()) - 1, template)
    assert values.shape == (3, 6)
    np.testing.assert_array_equal(values, np.zeros_like(values))


def test_post_selection_keeps_the_one_excitation_shots_only():
    experiment = make(sites=4, realisations=2)
    circuit = experiment.templates("all-to-all")[0]
    counts = {0b0001: 30, 0b0100: 10, 0b0000: 500, 0b0011: 400, 0b1111: 60}
    np.testing.assert_allclose(experiment.site_distribution(circuit, None, counts),
                               [0.75, 0, 0.25, 0])
    quasi = np.zeros(16)
    quasi[[1, 2, 4, 8, 3]] = [0.5, -0.1, 0.3, 0.2, 0.1]
    np.testing.assert_allclose(experiment.site_distribution(circuit, quasi, None),
                               [0.5, 0, 0.3, 0.2])
    np.testing.assert_allclose(experiment.site_distribution(circuit, None, {0: 10}),
                               np.full(4, 0.25))


def test_on_fake_fez_post_selection_leaves_sigma_within_its_errors():
    """On fake_fez's noise (12 CZ at most, 8 identical clean copies of 400 shots) the
    post-selected sigma agrees with the exact model within 4 of its errors at every time:
    errors from the members' scatter, so from the shots each one kept."""
    experiment = make(sites=5, time=2.4, time_steps=3, disorder="none", realisations=8)
    summary = run(experiment, load_config("fake_fez"), shots=400, seed=2).summary
    measured = np.array(summary["observables"]["sigma"][1:])
    error = np.array(summary["observable_errors"]["sigma"][1:])
    exact = np.array(summary["reference"]["sigma"][1:])
    assert np.all(error > 0)
    assert np.all(np.abs(measured - exact) < 4 * error)


def test_one_realisation_is_refused_with_what_to_do():
    with pytest.raises(QwalkError, match="realisations"):
        make(realisations=1)


@pytest.mark.parametrize("fidelity", [0.0, 0.3, 0.9, 1.0])
def test_the_dry_run_mix_is_the_global_mix_post_selected_as_the_shots_are(fidelity):
    """The calibration model on every bitstring, F p + (1 - F)/2^N, read by the run's own
    post-selection (site_distribution), is what calibration_mix gives; kept is the weight
    on the one-excitation bitstrings."""
    experiment = make(sites=6, realisations=2)
    p = experiment.reference_distributions()[-1]
    bits = np.full(2**6, (1 - fidelity) / 2**6)
    bits[1 << np.arange(6)] += fidelity * p
    circuit = experiment.templates("all-to-all")[-1]
    q, kept = experiment.calibration_mix(p, fidelity)
    np.testing.assert_allclose(q, experiment.site_distribution(circuit, bits, None),
                               atol=1e-14)
    assert kept == pytest.approx(bits[1 << np.arange(6)].sum(), abs=1e-14)


def test_the_signature_side_is_localization_only_where_the_potential_localizes():
    assert make(disorder="static").signature_side() == -1
    assert make(disorder="dynamic").signature_side() == 0
    assert make(disorder="static", potential="aubry-andre", W=3.0).signature_side() == -1
    assert make(disorder="static", potential="aubry-andre", W=1.0).signature_side() == 0


def unmitigated(name):
    return load_config(name).with_run(readout_mitigation=False)


def test_a_chain_longer_than_this_machine_can_simulate_is_planned_not_simulated():
    """40 qubits: no statevector here, but the reference, the analysis and readout
    mitigation are N-long, so the spec stands, the dry run on fake_fez (readout
    calibration included) gives the ISA circuits (2 CZ x 39 bonds x 2 steps, a line with no
    SWAP), and only a run that simulates is refused, by the work estimate."""
    experiment = make(sites=40, time=1.6, time_steps=2, realisations=2, disorder="static")
    config = load_config("fake_fez")
    assert config.run.readout_mitigation
    planned = plan(experiment, config, 100)
    assert planned["circuits"][-1]["two_qubit_gates"] == 2 * 39 * 2
    assert {c["qubits"] for c in planned["circuits"]} == {40}
    assert planned["pub_rows"] > len(planned["circuits"])  # the calibration circuits
    with pytest.raises(QwalkError, match=r"memory.*lower sites"):
        run(experiment, unmitigated("fake_fez"), shots=100)
    with pytest.raises(QwalkError, match="lower sites"):  # over Aer's qubits, too
        run(experiment, load_config("aer_ideal"), shots=100)


@pytest.mark.parametrize(("solver", "zne"), [("tensored", False), ("mthree", False),
                                             ("tensored", True)])
def test_readout_mitigation_on_the_one_hot_strings_alone_is_the_dense_one(monkeypatch, solver,
                                                                          zne):
    """Readout mitigation evaluates its inverse on the N one-hot strings only
    (``readout_outcomes``): through the whole device path on fake_fez, the mitigated
    observables and their bootstrap errors are those of the dense 2^N path to 1e-12, and
    so are the zero-noise extrapolated ones (scales 1, 3) where ZNE is on."""
    if solver == "mthree":
        pytest.importorskip("mthree")
    config = load_config("fake_fez").with_run(
        readout_solver=solver, **({"zne_scales": [1, 3]} if zne else {}))
    experiment = make(sites=5, time=1.6, time_steps=2, realisations=3, disorder="static")

    def summary():
        return run(make(sites=5, time=1.6, time_steps=2, realisations=3, disorder="static"),
                   config, shots=300, seed=5).summary

    chain = type(experiment)
    read = chain.site_distribution
    sizes: list[int] = []  # the length of every probability vector the analysis reads

    def recorded(self, circuit, probabilities, counts):
        if probabilities is not None:
            sizes.append(np.asarray(probabilities).size)
        return read(self, circuit, probabilities, counts)

    monkeypatch.setattr(chain, "site_distribution", recorded)
    compact = summary()
    assert experiment.readout_outcomes().tolist() == [1, 2, 4, 8, 16]
    assert sizes and set(sizes) == {5}  # the one-hot path was taken, every time
    sizes.clear()
    monkeypatch.setattr(chain, "readout_outcomes", lambda self: None)
    dense = summary()
    assert sizes and set(sizes) == {32}
    for key in ("mitigated_observables", "mitigated_observable_errors"):
        for name in ("sigma", "mean"):
            np.testing.assert_allclose(compact[key][name], dense[key][name], atol=1e-12)
    assert compact["mitigated_observables"]["sigma"] != compact["observables"]["sigma"]
    if zne:
        for key in ("zne", "zne_errors", "mitigated"):
            for name in ("sigma", "mean"):
                np.testing.assert_allclose(compact["comparison"]["zne"][key][name],
                                           dense["comparison"]["zne"][key][name], atol=1e-12)


def test_members_past_64_sites_are_mitigated_without_a_2_to_the_n_vector():
    """70 sites: ``member_rows`` mitigates synthetic counts of two members on the N one-hot
    strings (a 2^70 vector could not exist); each row is the post-selected tensored inverse
    written out string by string."""
    from qwalk_circuits.analysis.device_comparison import member_rows

    n = 70
    chain = make(sites=n, time=0.8, time_steps=1, realisations=2)
    rng = np.random.default_rng(4)
    matrices = [np.array([[1 - a, b], [a, 1 - b]]) for a, b in rng.uniform(0.01, 0.05, (n, 2))]
    physical = tuple(range(n))
    info = {"job": "j", "physical": list(physical), "bits": list(range(n))}
    members = []
    for r in range(2):
        counts = {1 << int(x): int(v) for x, v in zip(rng.integers(0, n, 30),
                                                      rng.integers(5, 50, 30), strict=True)}
        counts[(1 << 3) | (1 << 9)] = 40  # two excitations: discarded, but it mitigates in
        members.append((r, counts, info))
    rows = member_rows(chain, chain.templates("all-to-all")[-1], members,
                       {("j", physical): matrices})
    assert rows.shape == (2, n)
    inverse = [np.linalg.inv(m) for m in matrices]
    for row, (_, counts, _) in zip(rows, members, strict=True):
        total = sum(counts.values())
        expected = np.array([sum(v / total * np.prod([inverse[j][(y >> j) & 1, (x >> j) & 1]
                                                      for j in range(n)])
                                 for x, v in counts.items())
                             for y in (1 << k for k in range(n))])
        expected = np.clip(expected, 0, None)
        np.testing.assert_allclose(row, expected / expected.sum(), atol=1e-12)
