"""What a demo chapter is, and what every chapter is run with."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure

from .execution import ResultStore
from .execution.config import HardwareConfig


@dataclass
class Chapter:
    """One section of the demo report."""

    title: str
    intro: str
    figures: dict[str, Figure]
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoContext:
    config: HardwareConfig
    shots: int | None
    seed: int | None
    store: ResultStore | None

    @property
    def sampling(self) -> str:
        return "exact probabilities" if self.shots is None else f"{self.shots} shots"
