"""The bottom layer: errors, validated specs, the lattice encoding, coins, states,
disorder realisations and memory estimates (numpy and pydantic only; no qiskit)."""
