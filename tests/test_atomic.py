"""Cache files are replaced whole or not at all."""

from __future__ import annotations

import pytest

from mljournal.atomic import replacing


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path):
    target = tmp_path / "sub" / "plot.png"
    with replacing(target) as partial:
        partial.write_text("old")
    with pytest.raises(RuntimeError):
        with replacing(target) as partial:
            partial.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["plot.png"]
