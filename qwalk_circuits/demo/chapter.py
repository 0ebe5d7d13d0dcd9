"""What a demo chapter is, and what every chapter is run with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure

from ..execution import ResultStore
from ..execution.config import HardwareConfig


@dataclass
class Chapter:
    """One section of the demo report."""

    title: str
    intro: str
    figures: dict[str, Figure]
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    #: one line under each figure of ``figures`` saying what it shows (required)
    captions: dict[str, str] = field(default_factory=dict)


class SkipChapter(Exception):
    """A chapter that does not run on this target, and why (shown in its place)."""

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(reason)
        self.title = title


@dataclass(frozen=True)
class DemoContext:
    config: HardwareConfig
    shots: int | None
    seed: int | None
    store: ResultStore | None
    #: a device (its circuits go to jobs): chapters use their device sizes or are skipped
    on_device: bool = False

    def sized(self, title: str, simulator: dict[str, Any], device: dict[str, Any] | None,
              why_not: str = "") -> dict[str, Any]:
        """A chapter's settings: the simulator's, or on a device its device-sized ones (a
        chapter with none is skipped, saying ``why_not``)."""
        if not self.on_device:
            return dict(simulator)
        if device is None:
            raise SkipChapter(title, why_not)
        return dict(device)

    def run(self, experiment: Any) -> Any:
        """One run of the chapter through the pipeline, on the demo's config."""
        from ..pipeline import run

        return run(experiment, self.config, shots=self.shots, seed=self.seed, store=self.store,
                   progress=False)

    @property
    def sampling(self) -> str:
        return "exact probabilities" if self.shots is None else f"{self.shots} shots"
