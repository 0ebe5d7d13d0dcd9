"""What the store's run list holds by default: the 50 newest runs, newest first."""

from __future__ import annotations

from qwalk_circuits.execution.store import ResultStore


def test_the_run_list_shows_the_fifty_newest_runs_unless_asked_for_more(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    for i in range(51):
        store.save_run(f"r{i:02d}", "coined-walk", {}, {"name": "aer_ideal"}, 100, 1, {}, [])
    listed = [r["run_id"] for r in store.list_runs()]
    assert listed == [f"r{i:02d}" for i in range(50, 0, -1)]  # r00, the oldest, left out
    assert len(store.list_runs(limit=51)) == 51
