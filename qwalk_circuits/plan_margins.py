"""The dry run's verdict arithmetic: how many standard errors a predicted signature stands
from its "no effect" value, and from how many shots (and members) on it would stand beyond
:data:`SIGNIFICANCE` of them.  Shared by the plain forecast and the zero-noise-extrapolated
one (``zne_forecast``): only the predicted value and its error differ."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

#: standard errors the signature must stand from its "no effect" value
SIGNIFICANCE = 3.0
#: the most shots :func:`shots_needed` looks at (beyond: "never", in practice)
MAX_SHOTS = 10**9


def kept_shots(shots: int, kept: float) -> int:
    """The shots an analysis that keeps a fraction ``kept`` of them is left with."""
    return max(1, round(shots * kept))


def margins(predicted: float, null_value: float, null_error: float, side: float,
            exact_shows_it: bool, spread: float, shot_error: Callable[[int], float],
            shots: int, members: int) -> dict[str, Any]:
    """The verdict on ``predicted`` at ``shots`` per member: its error (``shot_error(n)``
    at n shots per member, the members' ``spread`` and the no-effect value's own error in
    quadrature), the standard errors from ``null_value`` on the phenomenon's ``side`` (0
    where the exact model shows no signature, or the noise moves it the other way), and
    the shots and members that would take it past :data:`SIGNIFICANCE`."""
    gap = max((predicted - null_value) * side, 0.0) if exact_shows_it else 0.0

    def error(n: int) -> float:
        return math.hypot(shot_error(n), spread, null_error)

    def margin(n: int) -> float:
        e = error(n)
        return gap / e if e > 0 else (math.inf if gap > 0 else 0.0)

    # the scatter's error falls like 1/sqrt(members): the fewest that hold it below gap/3
    # (the no-effect value's own error is not the members': past gap / 3, none would do)
    room = (gap / SIGNIFICANCE) ** 2 - null_error**2
    enough = (None if spread == 0 or room <= 0 else
              math.floor(members * spread**2 / room) + 1)
    return {"predicted": predicted, "error": error(shots), "shot_error": shot_error(shots),
            "member_spread_error": spread,
            "standard_errors": margin(shots), "stands": margin(shots) > SIGNIFICANCE,
            "shots_for_3_sigma": shots_needed(margin),
            "members_for_3_sigma_at_any_shots": enough}


def shots_needed(margin: Callable[[int], float]) -> int | None:
    """The fewest shots n with ``margin(n)`` > :data:`SIGNIFICANCE` (margin grows with n),
    by doubling then bisection; None when even :data:`MAX_SHOTS` do not reach it, or the
    margin is not a number (no error to scale)."""
    if math.isnan(margin(1)) or math.isnan(margin(MAX_SHOTS)):
        return None
    if margin(1) > SIGNIFICANCE:
        return 1
    high = 2
    while margin(high) <= SIGNIFICANCE:
        if high >= MAX_SHOTS:
            return None
        high = min(high * 2, MAX_SHOTS)
    low = high // 2  # margin(low) <= SIGNIFICANCE < margin(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if margin(middle) > SIGNIFICANCE else (middle, high)
    return high
