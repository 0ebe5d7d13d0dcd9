"""Checks shared by the ensemble experiments' tests."""

from __future__ import annotations

import numpy as np

from qwalk_circuits.execution import load_config
from qwalk_circuits.execution.ensemble import execute_ensemble


def assert_every_member_equals_its_reference(experiment, atol: float = 1e-10) -> None:
    """Bind every member of every template on Aer (exact probabilities) and compare each
    member's distribution with its own exact reference."""
    templates = experiment.templates("all-to-all")
    values = [experiment.template_values(i, t) for i, t in enumerate(templates)]
    results = execute_ensemble(templates, values, load_config(), None, seed=1)
    for template, per_time, expected in zip(templates, results, experiment.reference_ensemble(),
                                            strict=True):
        assert len(per_time) == experiment.realisations()
        got = np.array([experiment.member_distribution(template, r, result.probabilities, None)
                        for r, result in enumerate(per_time)])
        np.testing.assert_allclose(got, expected, atol=atol)
