"""The generated secret key is shared by every worker, even when they all start at the same moment."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

from engine.settings import secret_key


def _read_key(instance_path: str) -> str:
    return secret_key(Path(instance_path), {})


def test_workers_starting_together_all_get_the_same_complete_key(tmp_path: Path) -> None:
    for attempt in range(5):
        instance = tmp_path / f"instance-{attempt}"
        with multiprocessing.get_context("fork").Pool(8) as pool:
            keys = pool.map(_read_key, [str(instance)] * 16)
        assert len(set(keys)) == 1
        assert len(keys[0]) == 64
        assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no temporary file left behind
        assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    assert secret_key(tmp_path, {"COMPLAINTFLOW_SECRET_KEY": "from-env"}) == "from-env"
    assert not (tmp_path / "secret_key").exists()
