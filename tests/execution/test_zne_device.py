"""Zero-noise extrapolation on the device path: the config option, the folded circuits a
submission sends (and its dry run counts), and the ``comparison.zne`` block of the
finished run -- on a fake device, and through the service double on the real-device path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qwalk_circuits.cli.render import print_summary
from qwalk_circuits.cli.render_plan import print_plan
from qwalk_circuits.core.errors import QwalkError
from qwalk_circuits.device_analysis import finish_run, reanalyse_device_run
from qwalk_circuits.execution import ResultStore
from qwalk_circuits.execution.config import load_config, parse_config
from qwalk_circuits.execution.ledger import Ledger
from qwalk_circuits.experiments import get_experiment
from qwalk_circuits.pipeline import plan, run, submit

from . import service_double

SCALES = [1, 3, 5]
TINY = {"position_qubits": 2, "steps": 2}


def fake_config(**run_settings):
    """fake_manila (5 qubits: a fast emulation) with ZNE on."""
    return parse_config({"backend": {"kind": "fake", "device": "fake_manila"},
                         "run": {"shots": 400, "seed": 3, "readout_mitigation": True,
                                 "zne_scales": SCALES, **run_settings},
                         "jobs": {"poll_interval_s": 0.01}}, "fake_manila_zne", "test")


def double_config(tmp_path, extra=""):
    text = service_double.IBM_CONFIG.replace(
        "readout_mitigation = true", f"readout_mitigation = true\nzne_scales = {SCALES}{extra}")
    path = tmp_path / "ibm_double_zne.toml"
    path.write_text(text)
    return load_config(str(path))


def walk(**settings):
    return get_experiment("coined-walk").from_settings({**TINY, **settings})


@pytest.mark.parametrize(("text", "match"), [
    ("zne_scales = [1, 2]", "'run.zne_scales': scale factors are odd"),
    ("zne_scales = [1, 3.0]", "'run.zne_scales.1': Input should be a valid integer"),
    ("zne_scales = [1, nan]", "not a finite number"),
    ("zne_scales = [1, inf]", "not a finite number"),
    ("zne_scales = [3, 5]", "first scale factor must be 1"),
    ('zne_scales = "1, 3"', "valid list"),
    ('zne_scales = [1, 3]\nzne_extrapolation = "exponential"', "at least three zne_scales"),
    ('zne_scales = [1, 3, 5]\nzne_extrapolation = "linear"', "'richardson' or 'exponential'")])
def test_bad_zne_settings_are_one_line_errors_naming_the_key(tmp_path, text, match):
    path = tmp_path / "c.toml"
    path.write_text(f'[backend]\nkind = "fake"\ndevice = "fake_manila"\n[run]\n{text}\n')
    with pytest.raises(QwalkError, match=match) as caught:
        load_config(str(path))
    assert "\n" not in str(caught.value)


def test_zne_is_off_by_default_and_refused_on_aer(tmp_path):
    assert load_config("fake_fez").run.zne_scales is None
    path = tmp_path / "c.toml"
    path.write_text("[run]\nzne_scales = [1, 3, 5]\n")
    with pytest.raises(QwalkError, match="use it with kind = 'fake' or 'ibm'"):
        load_config(str(path))


def test_a_fake_device_run_reports_raw_mitigated_and_zne_observables_side_by_side(tmp_path,
                                                                                   capsys):
    store = ResultStore(tmp_path / "s.sqlite")
    summary = run(walk(times=[1, 2]), fake_config(), 400, 3, store, progress=False).summary
    times = summary["times"]
    infos = Ledger(store).submission(summary["run_id"])["circuits"]
    measured = [i for i in infos if i["role"] == "circuits"]
    assert [(i["time_index"], i["noise_scale"]) for i in measured] == [
        (t, s) for t in range(len(times)) for s in SCALES]
    zne = summary["comparison"]["zne"]
    assert zne["scales"] == SCALES and zne["extrapolation"] == "richardson"
    assert zne["extrapolated"] == "mitigated"
    for gates in zne["two_qubit_gates"]:
        assert gates[0] > 0 and gates == [s * gates[0] for s in SCALES]
    names = set(summary["observables"])
    for key in ("raw", "mitigated", "zne", "zne_unmitigated", "exact"):
        assert set(zne[key]) == names and all(len(v) == len(times) for v in zne[key].values())
    for key in ("raw", "mitigated", "zne", "zne_unmitigated"):
        assert set(zne[f"{key}_errors"]) == names
        assert all(e >= 0 for v in zne[f"{key}_errors"].values() for e in v)
    # scale 1 is the run's own result, the exact values the reference's
    assert zne["raw"]["sigma"] == pytest.approx(summary["observables"]["sigma"], abs=1e-12)
    assert zne["exact"]["sigma"] == pytest.approx(summary["reference"]["sigma"], abs=1e-12)
    assert [row[0] for row in zne["per_scale"]["sigma"]] == pytest.approx(
        zne["mitigated"]["sigma"], abs=1e-12)
    # the extrapolation amplifies the shot noise: where two-qubit gates are folded, the
    # zero-noise error exceeds the mitigated one
    for t in range(len(times)):
        assert zne["zne_errors"]["p_origin"][t] > zne["mitigated_errors"]["p_origin"][t]
    # the whole distribution too: its TVD at scale 1 is the comparison's own, raw and
    # mitigated; the zero-noise distribution's TVD has a bootstrap error of its own
    for kind, own in (("raw", "hardware"), ("mitigated", "mitigated")):
        tvd = zne["tvd"][kind]
        assert tvd["tvd"] == pytest.approx(summary["comparison"][own]["tvd"], abs=1e-12)
        assert [row[0] for row in tvd["per_scale"]] == tvd["tvd"]
        assert all(len(row) == len(SCALES) for row in tvd["per_scale"])
        assert all(e > 0 for e in tvd["zne_error"])  # (its gain: tests/claims, 64 sites)
    # the rest of the summary describes the scale-1 circuits only
    assert len(summary["resources"]) == len(times) == len(store.get_run(
        summary["run_id"])["circuits"])
    # the CLI's table shows the main observable's three estimates beside the exact one
    print_summary(summary)
    out = capsys.readouterr().out
    assert "zero-noise extrapolation of sigma (richardson, noise scales 1, 3, 5, from the " \
           "mitigated values" in out
    lines = out.splitlines()
    row = lines[next(i for i, line in enumerate(lines) if line.startswith("zero-noise")) + 2
                ].split()
    assert row[0] == "1" and float(row[-1]) == pytest.approx(zne["exact"]["sigma"][0],
                                                             abs=1e-4)
    at = next(i for i, line in enumerate(lines) if line.startswith("TVD to the exact"))
    row = lines[at + 2].split()  # t, then raw, mitigated, zero-noise: each "value ± error"
    assert row[0] == "1" and [float(v) for v in row[1::3]] == pytest.approx(
        [zne["tvd"]["raw"]["tvd"][0], zne["tvd"]["mitigated"]["tvd"][0],
         zne["tvd"]["mitigated"]["zne"][0]], abs=1e-4)
    # fetching again gives the same summary; re-analysed from the ledger with the other
    # model, the same raw and mitigated values and errors (the same bootstrap draws)
    assert finish_run(summary["run_id"], store) == summary
    other = json.loads(json.dumps(reanalyse_device_run(
        summary["run_id"], store, zne_extrapolation="exponential").summary["comparison"]["zne"]))
    assert other["extrapolation"] == "exponential" and other["zne"] != zne["zne"]
    for key in ("raw", "raw_errors", "mitigated", "mitigated_errors", "per_scale"):
        assert other[key] == zne[key]


def test_a_time_without_two_qubit_gates_is_sent_once_and_is_its_own_zero_noise_value(
        tmp_path):
    """t = 0 (the initial state: single-qubit gates only) has nothing to fold: one circuit
    at scale 1, not three copies of it, and its zero-noise value and error are its
    mitigated ones; the other times are extrapolated as before."""
    store = ResultStore(tmp_path / "s.sqlite")
    summary = run(walk(times=[0, 1]), fake_config(), 400, 3, store, progress=False).summary
    measured = [i for i in Ledger(store).submission(summary["run_id"])["circuits"]
                if i["role"] == "circuits"]
    assert [(i["time_index"], i["noise_scale"]) for i in measured] == [
        (0, 1), (1, 1), (1, 3), (1, 5)]
    zne = summary["comparison"]["zne"]
    assert zne["two_qubit_gates"][0] == [0] and len(zne["two_qubit_gates"][1]) == 3
    for key in ("sigma", "p_origin"):
        assert zne["zne"][key][0] == zne["mitigated"][key][0]
        assert zne["zne_errors"][key][0] == pytest.approx(zne["mitigated_errors"][key][0],
                                                          rel=1e-12)
        assert len(zne["per_scale"][key][0]) == 1 and len(zne["per_scale"][key][1]) == 3
    assert zne["zne_errors"]["p_origin"][1] > zne["mitigated_errors"]["p_origin"][1]


def test_the_dry_run_counts_the_folded_circuits(server, tmp_path, capsys):
    config = double_config(tmp_path)
    report = plan(walk(), config, 200)
    times = len(walk().times())
    # t = 0 has no two-qubit gate to fold: sent once, at scale 1
    foldable = sum(c["two_qubit_gates"] > 0 for c in report["circuits"])
    assert foldable == times - 1
    assert report["folded_circuits"] == foldable * (len(SCALES) - 1)
    assert report["pub_rows"] == (times + foldable * (len(SCALES) - 1)
                                  + report["calibration_circuits"])
    plain = plan(walk(), load_config(str(service_double.ibm_config(tmp_path))), 200)
    # the per-time table is the unfolded circuits' (with the zero-noise forecast beside
    # it, zne_forecast); the QPU time adds the folded ones
    forecast = ("zne_observable_predicted", "zne_observable_error", "zne_tvd_predicted",
                "zne_tvd_spread", "zne_tvd_limit")
    assert all(set(forecast) <= set(c) for c in report["circuits"])
    assert [{k: v for k, v in c.items() if k not in forecast}
            for c in report["circuits"]] == plain["circuits"]
    assert report["qpu_seconds_lower_bound"] > plain["qpu_seconds_lower_bound"]
    print_plan(report, as_json=False)
    assert f"{foldable * 2} folded for ZNE (noise scales 3, 5)" in capsys.readouterr().out
    assert server.uploaded() == 0


def test_folded_circuits_pass_the_real_runtime_client_and_extrapolate_on_an_ideal_device(
        server, tmp_path):
    """Through the service double (the runtime's own client-side sampler, with dynamical
    decoupling on, uploads the folded ISA circuits; the "device" is ideal): every scale
    gives the same distribution, so the zero-noise value stands within 3 of its errors
    of the exact one."""
    config = double_config(tmp_path, "\ndynamical_decoupling = true")
    store = ResultStore(tmp_path / "s.sqlite")
    run_id = submit(walk(), config, 400, 5, store)
    record = service_double.fetched(run_id, store)
    zne = record.summary["comparison"]["zne"]
    for key in ("sigma", "p_origin"):
        value, error, exact = (np.array(zne[k][key]) for k in ("zne", "zne_errors", "exact"))
        assert np.all(np.abs(value - exact) <= 3 * error + 1e-12), key


def test_an_ensemble_extrapolates_its_members_average(tmp_path):
    """Anderson walk, 2 realisations: every template is folded too, its members' counts at
    every scale give the zne block; scale 1 is the ensemble summary's own average."""
    experiment = get_experiment("anderson-walk").from_settings(
        {"position_qubits": 2, "steps": 2, "realisations": 2, "times": [0, 2]})
    store = ResultStore(tmp_path / "s.sqlite")
    summary = run(experiment, fake_config(), 400, 3, store, progress=False).summary
    zne = summary["comparison"]["zne"]
    # t = 0: no two-qubit gate, sent at scale 1 alone and its own zero-noise value
    assert zne["two_qubit_gates"][0] == [0]
    assert zne["zne"]["sigma"][0] == zne["mitigated"]["sigma"][0]
    assert zne["two_qubit_gates"][1] == [s * zne["two_qubit_gates"][1][0] for s in SCALES]
    assert zne["two_qubit_gates"][1][0] > 0
    assert zne["raw"]["sigma"] == pytest.approx(summary["observables"]["sigma"], abs=1e-12)
    assert zne["exact"]["sigma"] == pytest.approx(summary["reference"]["sigma"], abs=1e-12)
    assert zne["zne_errors"]["sigma"][1] > zne["mitigated_errors"]["sigma"][1] > 0
    # the members' average distribution: its scale-1 TVD is the comparison's own
    for kind, own in (("raw", "hardware"), ("mitigated", "mitigated")):
        tvd = zne["tvd"][kind]
        assert tvd["tvd"] == pytest.approx(summary["comparison"][own]["tvd"], abs=1e-12)
        assert tvd["zne"][0] == tvd["tvd"][0] and tvd["zne_error"][1] > 0
    infos = Ledger(store).submission(summary["run_id"])["circuits"]
    scales = [(i["template"], i["noise_scale"]) for i in infos if i["role"] == "circuits"]
    assert {s for t, s in scales if t == 0} == {1}
    later = [s for t, s in scales if t == 1]
    assert set(later) == set(SCALES) and len({later.count(s) for s in SCALES}) == 1
    assert len(summary["resources"]) == 2  # the rest of the summary: scale 1 alone


@pytest.mark.slow
def test_zne_moves_sigma_towards_the_exact_value_on_fake_fez(tmp_path):
    """The 16-site Hadamard walk after 5 steps on fake_fez (about 46 two-qubit gates): the
    readout-mitigated sigma misses the exact one by several of its errors, and the
    Richardson extrapolation removes most of that gap (both are printed; BENCHMARKS.md
    section 20 has the table at steps 4..8)."""
    data = load_config("fake_fez").model_dump()
    data.pop("name")
    data["run"]["zne_scales"] = SCALES
    config = parse_config(data, "fake_fez_zne", "test")
    store = ResultStore(tmp_path / "s.sqlite")
    experiment = get_experiment("coined-walk").from_settings(
        {"position_qubits": 4, "steps": 5, "times": [5]})
    zne = run(experiment, config, 4000, 1234, store, progress=False).summary[
        "comparison"]["zne"]
    exact = zne["exact"]["sigma"][0]
    mitigated, mitigated_error = zne["mitigated"]["sigma"][0], zne["mitigated_errors"][
        "sigma"][0]
    value, error = zne["zne"]["sigma"][0], zne["zne_errors"]["sigma"][0]
    print(f"sigma exact {exact:.4f}, mitigated {mitigated:.4f} +- {mitigated_error:.4f}, "
          f"ZNE {value:.4f} +- {error:.4f}")
    gap, left = abs(mitigated - exact), abs(value - exact)
    assert gap > 3 * mitigated_error  # the device's bias stands out of its shot noise
    assert left < gap - 2 * np.hypot(error, mitigated_error)  # ZNE removes part of it
