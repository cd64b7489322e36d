"""The sample journal's numbers are true: rerunning a model gives its committed run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize("model_id", ["linear-1", "mlp-1"])
def test_rerunning_a_model_reproduces_its_committed_metrics(tmp_path, model_id):
    pytest.importorskip("sklearn", reason="pip install -e '.[test]' installs scikit-learn")
    subprocess.run(
        [sys.executable, str(REPO / "examples" / "train_digits.py"), model_id,
         "--journal", str(tmp_path / "journal"), "--checkpoint-dir", str(tmp_path / "ckpt")],
        cwd=REPO, check=True, capture_output=True, timeout=300,
    )
    committed = REPO / "journal" / "runs" / model_id
    rerun = tmp_path / "journal" / "runs" / model_id
    names = sorted(p.name for p in committed.iterdir() if p.name.startswith(("metrics.", "run.json")))
    assert names
    for name in names:
        assert (rerun / name).read_bytes() == (committed / name).read_bytes(), name
