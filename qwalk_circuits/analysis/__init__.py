"""Analysis: numpy in, numbers and figures out; nothing here runs a circuit.

- :mod:`.distributions` (re-exported here): counts and probabilities to distributions,
  observables, distances and fits;
- :mod:`.ensembles`: means, jackknife errors and tail fits over ensemble members;
- :mod:`.backscattering`: momentum maps and the coherent-backscattering ratio;
- :mod:`.summary`: the one summary builder of a run;
- :mod:`.device_comparison`: a device run against the exact reference (bootstraps);
- :mod:`.plots`: the figures of runs, sweeps and the demo.
"""

from .distributions import (
    OBSERVABLES,
    DiffusionFit,
    PowerLawFit,
    displacements,
    distribution_from_counts,
    fit_diffusion,
    fit_power_law,
    hellinger,
    observable_errors,
    observables,
    relabel,
    total_variation,
    tvd_shot_noise_bound,
)

__all__ = ["OBSERVABLES", "DiffusionFit", "PowerLawFit", "displacements",
           "distribution_from_counts", "fit_diffusion", "fit_power_law", "hellinger",
           "observable_errors", "observables", "relabel", "total_variation",
           "tvd_shot_noise_bound"]
