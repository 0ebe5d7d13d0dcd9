"""The hardware-fidelity benchmark runs the walk with and without measuring early."""

from benchmarks.bench_hardware_fidelity import device_config, main


def test_device_config_sets_measure_early_and_keeps_the_rest() -> None:
    early, plain = device_config("fake_fez", True), device_config("fake_fez", False)
    assert early.run.measure_early and not plain.run.measure_early
    assert early.run.model_dump(exclude={"measure_early"}) == plain.run.model_dump(
        exclude={"measure_early"})


def test_a_measured_early_run_prints_its_idle_dephasing(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--qubits", "3", "--steps", "3", "--constructions", "fast-forward",
                 "--measure-early", "--shots", "500"]) == 0
    row = [line for line in capsys.readouterr().out.splitlines()
           if line.startswith("| 3 | 8 |")]
    assert len(row) == 1
    *_, idle, fidelity, real = (cell.strip() for cell in row[0].strip("|").split("|"))
    assert 0 < float(idle) < 0.2  # a real device's cost, printed for the fake run
    assert 0 < float(real) < float(fidelity) < 1


def test_zne_sets_the_scales_and_the_model() -> None:
    config = device_config("fake_fez", False, "exponential")
    assert config.run.zne_scales == [1, 3, 5] and config.run.zne_extrapolation == "exponential"
    assert device_config("fake_fez", False).run.zne_scales is None


def test_a_zne_run_prints_the_zero_noise_distributions_tvd(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--qubits", "2", "--steps", "2", "--constructions", "fast-forward",
                 "--zne", "exponential", "--shots", "2000"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = next(line for line in out if line.startswith("| n |"))
    assert header.rstrip().endswith(
        "| TVD per scale (λ = 1 / 3 / 5) | TVD ZNE (exponential) | TVD ZNE predicted "
        "| TVD ZNE predicted (unlimited shots) | negative mass |")
    row = [line for line in out if line.startswith("| 2 | 4 |")]
    assert len(row) == 1
    *_, per_scale, zne, predicted, limit, negative = (
        cell.strip() for cell in row[0].strip("|").split("|"))
    assert len(per_scale.split(" / ")) == 3
    value, error = (float(x) for x in zne.split(" ± "))
    assert 0 <= value < 0.5 and error > 0 and float(negative) >= 0
    # the dry run's forecast of the same TVD, a shot floor at least (4 sites, 2000 shots)
    assert 0 <= float(limit) < float(predicted) < 0.5
