"""Neptune 1.x offline (`neptune.init_run(mode="offline")`): a tiny synthetic loop, no
server, no account (Neptune's hosted service shut down on 2026-03-05; the client still runs
offline).

Usage: python run_neptune.py <case folder> [--steps N] [--kill-at STEP]

Run with the case folder as the working directory: the client writes
`.neptune/offline/run__<uuid>__<pid>__<random>/` there (a hidden folder). With --kill-at, the
process kills itself with SIGKILL at that step: the log may end before `last_put_version`.
"""
from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tracker_loop import CONFIG, STEPS, TAGS, image, values  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--kill-at", type=int)
    args = parser.parse_args()
    case = Path(args.case)
    case.mkdir(parents=True, exist_ok=True)
    os.chdir(case)
    import neptune
    from neptune.types import File

    run = neptune.init_run(mode="offline", project="lab/digits", name="mlp baseline", tags=TAGS,
                           capture_stdout=False, capture_stderr=False, capture_hardware_metrics=False,
                           capture_traceback=True, source_files=[], git_ref=False)
    run["parameters"] = CONFIG
    for step in range(args.steps):
        for name, value in values(step).items():
            run[name].append(value, step=step)
        if step in (5, 15):
            run["samples"].append(File.as_image(image(step) / 255.0), step=step, name=f"step {step}")
        if args.kill_at is not None and step == args.kill_at:
            time.sleep(2)
            os.kill(os.getpid(), signal.SIGKILL)
    run["best_val_acc"] = max(values(s)["val/acc"] for s in range(args.steps))
    run["weird_final"] = math.nan
    run.stop()


if __name__ == "__main__":
    main()
