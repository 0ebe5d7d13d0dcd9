"""The work estimate (qwalk_circuits/work_estimate.py): the defaults run, work that cannot
finish is refused in one line before anything is built or stored, ``allow_large`` lets it
through, and the estimated memory is close to the measured peak."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from qwalk_circuits import pipeline, work_estimate
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.targets import make_target
from qwalk_circuits.experiments import REGISTRY
from qwalk_circuits.sweeps import sweep
from qwalk_circuits.work_estimate import WorkLimits, check_work, estimate_work

#: the estimate's peak memory lies within [1/LOW, HIGH] of the measured one (it errs high)
LOW, HIGH = 2.0, 3.0
#: a refusal must come back within seconds, where the refused run would build and simulate
#: for minutes to hours: only the one- and two-step circuits the estimate counts are built
#: (for free-packet at 15 qubits that is a 2^15-amplitude state preparation twice, 1.9 s on a
#: loaded 2-core machine; 1 s was too tight there)
QUICK_S = 5.0


def experiment(name: str, **settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (few-member and resonance warnings)
        return REGISTRY[name].from_settings(settings)


@pytest.mark.parametrize("config,shots", [("aer_ideal", None), ("aer_ideal", 1000),
                                          ("fake_fez", 1000)])
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_default_is_within_the_limits(name, config, shots):
    target = make_target(pipeline.resolve_config(config))
    prepared = pipeline.prepare(experiment(name), target)
    estimate = check_work(prepared, target, shots)  # raises over a limit
    assert estimate.gates > 0 and estimate.circuits >= 1 and estimate.memory_bytes > 0


def demo_runs() -> list[tuple[str, dict]]:
    """The demo's runs (its chapters' settings), at Aer and device sizes."""
    from qwalk_circuits.demo import localization, story, weak_localization

    runs = [("free-packet", story.DEMO_PACKET), ("free-packet", story.DEVICE_PACKET),
            ("coined-walk", story.DEMO_WALK), ("coined-walk", story.DEVICE_WALK),
            ("dephasing", story.DEMO_DEPHASING),
            ("coin-dephasing", {"position_qubits": 6, "steps": 24}),
            ("kicked-rotor", localization.DEMO_ROTOR),
            ("kicked-rotor-resonance", localization.DEMO_RESONANCE)]
    runs += [("anderson-walk", {**localization.DEMO_DISORDER, "disorder": d})
             for d in localization.DISORDERS]
    runs += [("backscattering", {**weak_localization.DEMO_BACKSCATTERING, **extra})
             for extra in weak_localization.CASES.values()]
    return runs


@pytest.mark.parametrize("shots", [None, 1000])
def test_the_demo_stays_within_the_limits(shots):
    """(So the demo needs no allow_large: a refusal would skip its chapter.)"""
    target = make_target(pipeline.resolve_config("aer_ideal"))
    for name, settings in demo_runs():
        check_work(pipeline.prepare(experiment(name, **settings), target), target, shots)


#: (experiment, field, value) per experiment with a step, time or register field
HUGE = [("dephasing", "time_steps", 10**6), ("coined-walk", "steps", 10**9),
        ("coin-dephasing", "steps", 10**9), ("position-dephasing", "steps", 10**9),
        ("anderson-walk", "steps", 10**9), ("anderson-ctqw", "time_steps", 10**6),
        ("backscattering", "time", 1e6), ("return-probability", "time", 1e6),
        ("ctqw", "position_qubits", 15), ("free-packet", "position_qubits", 15),
        ("anderson-walk", "realisations", 10**6)]


@pytest.mark.parametrize("name,field,value", HUGE)
def test_huge_work_is_refused_at_once_and_nothing_is_stored(name, field, value):
    walk = experiment(name, **{field: value})
    start = time.perf_counter()
    with pytest.raises(QwalkError) as caught:
        pipeline.run(walk, "aer_ideal")
    assert time.perf_counter() - start < QUICK_S
    message = str(caught.value)
    assert "\n" not in message and "allow_large=True" in message and "lower " in message
    assert ResultStore().list_runs() == []


@pytest.mark.parametrize("name", ["kicked-rotor", "kicked-rotor-resonance"])
def test_huge_kick_counts_are_refused_by_the_pipeline(name):
    """(Built past the spec's own register check, which iterates every kick itself.)"""
    spec_type = REGISTRY[name].spec_type
    walk = REGISTRY[name](spec_type.model_construct(kicks=10**9))
    start = time.perf_counter()
    with pytest.raises(QwalkError, match="kicks"):
        pipeline.run(walk, "aer_ideal")
    assert time.perf_counter() - start < QUICK_S
    assert ResultStore().list_runs() == []


def test_a_device_submission_is_refused_before_the_ledger():
    with pytest.raises(QwalkError, match="steps"):
        pipeline.submit(experiment("coined-walk", steps=10**9), "fake_fez", shots=100)
    assert ResultStore().list_runs() == []


def test_a_sweep_is_refused_before_any_run():
    config = pipeline.resolve_config("aer_ideal")
    with pytest.raises(QwalkError, match="time_steps"):
        sweep("dephasing", "time_steps", [8, 10**6], {}, config, None, 1)
    assert ResultStore().list_runs() == []


@pytest.fixture
def low_limits(monkeypatch):
    """Limits the default dephasing run (about 1.2e3 gates) passes by a little."""
    monkeypatch.setattr(work_estimate, "LIMITS", WorkLimits(max_gates=500))


def test_allow_large_lets_a_run_over_the_limits_through(low_limits):
    walk = experiment("dephasing", time_steps=12)
    with pytest.raises(QwalkError, match=r"gates \S+ > 500"):
        pipeline.run(walk, "aer_ideal")
    assert ResultStore().list_runs() == []
    record = pipeline.run(walk, "aer_ideal", allow_large=True)
    assert [r["run_id"] for r in ResultStore().list_runs()] == [record.summary["run_id"]]


@pytest.mark.parametrize("command", [
    ["run", "dephasing", "--set", "time_steps=12"],
    ["sweep", "dephasing", "--over", "gamma=0.5,1", "--set", "time_steps=12"],
    ["resources", "dephasing", "--set", "time_steps=12"]])
def test_the_cli_refuses_in_one_line_and_allow_large_lets_it_through(low_limits, command,
                                                                      capsys):
    from qwalk_circuits.cli import main

    assert main(command) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--allow-large" in err[0] and "gates" in err[0]
    assert ResultStore().list_runs() == []
    assert main([*command, "--allow-large"]) == 0


def test_allow_large_lets_a_sweep_through(low_limits):
    config = pipeline.resolve_config("aer_ideal")
    with pytest.raises(QwalkError):
        sweep("dephasing", "gamma", [0.5, 1.0], {"time_steps": 12}, config, None, 1)
    rows = sweep("dephasing", "gamma", [0.5, 1.0], {"time_steps": 12}, config, None, 1,
                 allow_large=True)
    assert len(rows) == len(ResultStore().list_runs()) == 2


def test_the_memory_limit_is_a_fraction_of_this_machine(monkeypatch):
    walk = experiment("dephasing")
    target = make_target(pipeline.resolve_config("aer_ideal"))
    need = estimate_work(walk, target, None).memory_bytes
    fraction = need / work_estimate.available_memory_bytes() / 2
    with pytest.raises(QwalkError, match="memory >"):
        check_work(walk, target, None, limits=WorkLimits(memory_fraction=fraction))
    check_work(walk, target, None, allow_large=True,
               limits=WorkLimits(memory_fraction=fraction))


def test_the_gates_grow_with_the_steps_and_not_for_flat_circuits():
    target = make_target(pipeline.resolve_config("aer_ideal"))
    sliced = [estimate_work(experiment("dephasing", time_steps=t), target, None).gates
              for t in (100, 200, 300)]
    assert sliced[2] - sliced[1] == sliced[1] - sliced[0] > 0  # gates per slice x 100
    flat = [estimate_work(experiment("ctqw", time_steps=t), target, None).gates
            for t in (100, 10**6)]
    assert flat[0] == flat[1]


MEASURE = """
import json, sys, warnings
warnings.simplefilter("ignore")
from qwalk_circuits import pipeline
from qwalk_circuits.experiments import REGISTRY
from qwalk_circuits.execution.targets import make_target
from qwalk_circuits.work_estimate import estimate_work
name, settings = sys.argv[1], json.loads(sys.argv[2])
walk = REGISTRY[name].from_settings(settings)
config = pipeline.resolve_config("aer_ideal")
target = make_target(config)
estimate = estimate_work(pipeline.prepare(walk, target), target, None).memory_bytes
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
base = status("VmRSS")
with open("/proc/self/clear_refs", "w") as reset:  # the high-water mark restarts here
    reset.write("5")
pipeline.run(walk, config, save=False, progress=False)
print(json.dumps({"estimate": estimate, "measured": status("VmHWM") - base}))
"""


def measured_memory(name: str, settings: dict) -> tuple[int, int]:
    """(estimated, measured) peak memory of a run, the measured one being the growth of
    a fresh process's resident set (its high-water mark, reset after the imports) over
    what it held before the run (Linux's /proc/self)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, name, json.dumps(settings)],
                         capture_output=True, text=True, check=True)
    values = json.loads(out.stdout.strip().splitlines()[-1])
    return values["estimate"], values["measured"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
@pytest.mark.parametrize("name,settings", [("dephasing", {"time_steps": 400})])
def test_the_estimated_memory_is_close_to_the_measured_peak(name, settings):
    estimate, measured = measured_memory(name, settings)
    assert measured / LOW <= estimate <= HIGH * measured, (estimate, measured)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
@pytest.mark.parametrize("name,settings", [
    ("dephasing", {"time_steps": 2000}), ("coined-walk", {"steps": 8000}),
    ("anderson-ctqw", {"time_steps": 400}), ("kicked-rotor", {"kicks": 400,
                                                              "kick_strength": 1.0}),
    ("dephasing", {"position_qubits": 9}), ("ctqw", {"position_qubits": 12})])
def test_the_estimated_memory_is_close_to_the_measured_peak_of_larger_runs(name, settings):
    estimate, measured = measured_memory(name, settings)
    assert measured / LOW <= estimate <= HIGH * measured, (estimate, measured)


def test_the_resource_report_offers_the_estimate_and_refuses_huge_walks():
    from qwalk_circuits.resource_report import resource_report

    report = resource_report(experiment("coined-walk", steps=4), "all-to-all")
    assert report["work"]["gates"] > 0 and report["work"]["memory_bytes"] > 0
    start = time.perf_counter()
    with pytest.raises(QwalkError, match="steps"):
        resource_report(experiment("coined-walk", steps=10**9), "all-to-all")
    assert time.perf_counter() - start < QUICK_S


def test_the_readme_example_of_a_refusal(capsys):
    """README quotes this refusal: its numbers come from the spec, not the machine."""
    from qwalk_circuits.cli import main

    assert main(["run", "dephasing", "--set", "time_steps=1000000"]) == 2
    err = capsys.readouterr().err
    assert "dephasing: this run needs ~6.38e8 gates in 28 circuit(s), ~2610 GiB, roughly " \
           "2.08 days, over the limits" in err
    assert "lower time_steps or time, or pass allow_large=True (--allow-large)" in err
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "~6.38e8\ngates in 28 circuit(s), ~2610 GiB, roughly 2.08 days" in readme


def test_many_members_of_a_mid_sized_register_are_refused_by_the_time_limit():
    """Under every count limit but hours long (found by review): the rough time refuses it."""
    walk = experiment("anderson-ctqw", realisations=5000, position_qubits=10)
    target = make_target(pipeline.resolve_config("aer_ideal"))
    estimate = estimate_work(walk, target, None)
    limits = work_estimate.LIMITS
    assert estimate.gates <= limits.max_gates
    assert estimate.circuits <= limits.max_circuits
    assert estimate.gate_applications <= limits.max_gate_applications
    assert estimate.seconds > limits.max_seconds
    with pytest.raises(QwalkError, match=r"h > 1 h\).*lower .*realisations"):
        check_work(walk, target, None)


def test_a_dry_run_or_an_unemulated_device_counts_no_simulation():
    """Nothing is simulated by a dry run (``simulate=False``) or on a real device whose run
    is not compared with an emulation: no simulator state and no simulated seconds; the
    one-hot chain's reference and analysis hold N-long vectors (``distribution_length``),
    not 2^N ones, so 40 sites fit.  With the emulation on (a real device's default) its
    state counts, and a state that cannot fit is refused whatever ``allow_large`` says."""
    chain = experiment("anderson-chain", sites=40, time=1.6, time_steps=2, realisations=2)
    fake = make_target(pipeline.resolve_config("fake_fez"))
    simulated = estimate_work(chain, fake, 1000)
    assert simulated.memory_parts["states"] >= 16 << 40
    ibm = pipeline.resolve_config("ibm_fez")
    unemulated = ibm.with_run(emulation=False)
    for target, simulate in ((fake, False), (make_target(unemulated), True)):
        estimate = check_work(chain, target, 1000, simulate=simulate)  # within the limits
        assert estimate.memory_parts["states"] == 0
        assert estimate.memory_parts["reference"] < 1 << 20
        assert estimate.seconds < simulated.seconds / 1e6
    emulated = make_target(ibm)
    assert emulated.compares_emulation
    assert estimate_work(chain, emulated, 1000).memory_parts["states"] >= 16 << 40
    for target, advice in ((emulated, "emulation = false"), (fake, "--dry-run")):
        with pytest.raises(QwalkError, match=f"cannot lift; lower sites.*{advice}"):
            check_work(chain, target, 1000, allow_large=True)


def test_a_device_or_its_emulation_saves_counts_not_every_outcome():
    """A device run (or its emulation here) samples counts: at most ``shots`` distinct
    outcomes per circuit are stored, not 2^N probabilities: a 28-site chain emulated for
    ibm_fez costs its 4 GiB statevectors, not 2^28 saved values per circuit as on Aer."""
    chain = experiment("anderson-chain", sites=28, time=11.2, time_steps=14, realisations=6)
    emulated = make_target(pipeline.resolve_config("ibm_fez"))
    estimate = estimate_work(chain, emulated, 1000)
    assert estimate.memory_parts["saved"] <= 2 * 8 * 1000 * 15 * 6
    aer = estimate_work(chain, make_target(pipeline.resolve_config("aer_ideal")), 1000)
    assert aer.memory_parts["saved"] >= 2 * 8 * (1 << 28) * 6  # every outcome, per time
    assert estimate.memory_parts["states"] >= 4 << 30


def test_the_state_check_leaves_what_simulates_nothing_or_no_dense_state():
    """``--allow-large`` still lifts the limits for a resource report (it builds circuits,
    simulates none) and for Aer's matrix-product-state method (no 2^n state to hold);
    phase-kick trajectories' ideal members count on a real device with its emulation off
    and in a dry run, for they are simulated on Aer in both."""
    from qwalk_circuits.resource_report import resource_report

    chain = experiment("anderson-chain", sites=34, time=0.8, time_steps=1, realisations=2)
    with pytest.raises(QwalkError, match="cannot lift"):
        check_work(chain, make_target(pipeline.resolve_config("aer_ideal")), None,
                   allow_large=True)
    assert resource_report(chain, "all-to-all", allow_large=True)["work"]["qubits"] == 34
    with pytest.raises(QwalkError, match="allow-large"):
        resource_report(chain, "all-to-all")
    aer = pipeline.resolve_config("aer_ideal")
    mps = aer.model_copy(update={"backend": aer.backend.model_copy(
        update={"method": "matrix_product_state"})})
    check_work(chain, make_target(mps), 1000, allow_large=True)
    ibm = pipeline.resolve_config("ibm_fez")
    unemulated = make_target(ibm.model_copy(
        update={"run": ibm.run.model_copy(update={"emulation": False})}))
    trajectories = pipeline.prepare(experiment("dephasing", position_qubits=3), unemulated)
    assert trajectories.members_are_samples
    for simulate in (True, False):
        assert work_estimate.simulated_here(trajectories, unemulated, simulate)
        assert estimate_work(trajectories, unemulated, 100, simulate).memory_parts["states"] > 0
    chain_on_ibm = experiment("anderson-chain", sites=8, time=0.8, time_steps=1, realisations=2)
    assert not work_estimate.simulated_here(chain_on_ibm, unemulated)
