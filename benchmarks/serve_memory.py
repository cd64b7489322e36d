"""Memory of a long `journal serve` beside a training run: does it stay bounded?

A run that logs a row every few seconds gives every update a new file to read, whose
parsed result is cached (it is older than the racy window by then). This drives the live
site's in-place update as `journal serve` does, UPDATES times, one appended row and one
update each (the file's time set a minute back, as if the run logged slower than the racy
window), and prints the process's resident memory as it goes: a day of a run logging every
~40 s is about 2,000 updates.

    .venv/bin/python benchmarks/serve_memory.py            # 2,000 updates on the sample journal
    .venv/bin/python benchmarks/serve_memory.py --updates 500
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=2000)
    args = parser.parse_args()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from mljournal.engines.mkdocs.live import LiveSite
    from mljournal.reading.cache import PartCache

    work = Path(tempfile.mkdtemp(prefix="mljournal-memory-"))
    try:
        shutil.copytree(REPO / "journal", work / "journal")
        shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
        metrics = work / "journal" / "runs" / "mlp-9" / "metrics.jsonl"
        os.chdir(work)
        config = load_config(config_file=str(work / "mkdocs.yml"), site_dir=str(work / "site"))
        config.plugins.on_startup(command="serve", dirty=False)
        build(config, serve_url="http://127.0.0.1:8000/")
        live = LiveSite(config)
        store = PartCache(None).store
        print(f"{'update':>7} {'RSS MB':>7} {'cached parts':>13} {'s/update':>9}")
        start = time.monotonic()
        for update in range(args.updates + 1):
            if update % max(1, args.updates // 10) == 0:
                elapsed = (time.monotonic() - start) / max(update, 1)
                print(f"{update:>7} {resident_mb():>7.0f} {len(store):>13} {elapsed:>9.3f}")
            with open(metrics, "a", encoding="utf-8") as handle:
                handle.write(f'{{"step": {1000 + update}, "train_loss": {1 / (update + 1)}, "val_acc": 0.95}}\n')
            old = time.time() - 60
            os.utime(metrics, (old, old))
            if live.update() is None:
                raise SystemExit("the update asked for a full rebuild")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
