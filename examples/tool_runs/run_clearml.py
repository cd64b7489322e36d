"""ClearML offline (`Task.set_offline(True)`): a tiny synthetic loop, no server, no account.

Usage: python run_clearml.py <case folder> [--steps N] [--kill-at STEP]

ClearML writes its offline session under `$CLEARML_CACHE_DIR/offline/offline-<id>/`; the
script points the cache at a scratch folder and copies what was written into the case
folder: `offline-<id>/` and, for a closed task, `offline-<id>.zip`. With --kill-at, the
process kills itself with SIGKILL at that step: the folder is left without the zip.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tracker_loop import CONFIG, STEPS, TAGS, image, values  # noqa: E402


def child(case: Path, steps: int, kill_at: int | None) -> None:
    from clearml import Task

    Task.set_offline(offline_mode=True)
    task = Task.init(project_name="digits", task_name="mlp baseline", tags=TAGS, auto_connect_frameworks=False,
                     auto_resource_monitoring=False, auto_connect_streams=False)
    task.connect(CONFIG)
    logger = task.get_logger()
    for step in range(steps):
        for name, value in values(step).items():
            title, _, series = name.rpartition("/")
            logger.report_scalar(title=title or name, series=series if title else name, value=value, iteration=step)
        if step in (5, 15):
            logger.report_image(title="samples", series="digits", iteration=step, image=image(step))
        if kill_at is not None and step == kill_at:
            logger.flush()
            time.sleep(2)
            os.kill(os.getpid(), signal.SIGKILL)
    logger.report_single_value("best_val_acc", max(values(s)["val/acc"] for s in range(steps)))
    logger.report_single_value("weird_final", math.nan)
    task.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--kill-at", type=int)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    case = Path(args.case).resolve()
    if args.child:
        child(case, args.steps, args.kill_at)
        return
    cache = Path(tempfile.mkdtemp(prefix="clearml-cache-"))
    env = dict(os.environ, CLEARML_CACHE_DIR=str(cache), CLEARML_OFFLINE_MODE="1", CLEARML_NO_DEFAULT_SERVER="1",
               CLEARML_LOG_ENVIRONMENT="", CLEARML_CONFIG_FILE=str(cache / "none.conf"), HOME=str(cache))
    command = [sys.executable, __file__, str(case), "--child", "--steps", str(args.steps)]
    if args.kill_at is not None:
        command += ["--kill-at", str(args.kill_at)]
    result = subprocess.run(command, env=env, cwd=cache)
    if args.kill_at is None and result.returncode != 0:
        raise SystemExit(result.returncode)
    case.mkdir(parents=True, exist_ok=True)
    offline = next(cache.rglob("offline")) if any(cache.rglob("offline")) else None
    if offline is None:
        raise SystemExit(f"ClearML wrote no offline folder under {cache}")
    for item in sorted(offline.iterdir()):
        target = case / item.name
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, target)
    shutil.rmtree(cache)


if __name__ == "__main__":
    main()
