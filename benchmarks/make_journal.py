"""Generate a synthetic journal of a chosen size: realistic entries, runs and screenshots.

    python benchmarks/make_journal.py OUT --entries 2000 --runs 300 --steps 5000 --metrics 4 --screenshots 600

Deterministic for a seed. Entries have front matter with parents and tags, prose that
mentions other models, a results table, a code block and some non-Latin text; runs write
metrics.csv, and a share the other formats the journal reads (metrics.jsonl, TensorBoard event
files, a Hugging Face trainer_state.json), run.json and small PNG screenshots.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = ("loss plateau warmup schedule dropout residual attention encoder decoder batch gradient clip "
         "augmentation overfit underfit baseline checkpoint tokenizer vocabulary learning rate decay "
         "validation split leak bug fix seed variance noise label smoothing width depth layer norm").split()
NON_LATIN = ["学習率を下げたら安定した。", "Валидация не улучшилась.", "הדיוק עלה מעט.", "Wnioski: bez zmian.", "損失が発散した。"]
FAMILIES = ("tcn", "bert", "cnn", "lstm", "vit", "gru")
METRICS = ("train_loss", "val_loss", "val_acc", "lr", "grad_norm", "val_f1")


def sentence(rng: random.Random, ids: list[str]) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    if ids and rng.random() < 0.4:
        words.insert(rng.randint(0, len(words)), rng.choice(ids))
    return " ".join(words).capitalize() + "."


def png(rng: random.Random, width: int = 640, height: int = 400) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(x, int(height / 2 + height / 3 * math.sin(x / 40 + rng.random()) * math.exp(-x / width)))
              for x in range(0, width, 4)]
    draw.line(points, fill=(63, 81, 181), width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def tensorboard_record(step: int, values: dict[str, float]) -> bytes:
    """One event with a simple_value scalar per metric, as PyTorch's SummaryWriter writes it."""
    from mljournal.reading.formats.tfevents import scalar_event

    return scalar_event(step, values, wall_time=1.7e9 + step)


def make(out: Path, entries: int, runs: int, steps: int, metrics: int, screenshots: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    journal = out / "journal"
    model_ids = [f"{FAMILIES[i % len(FAMILIES)]}-{i // len(FAMILIES) + 1}" for i in range(max(runs, entries // 7))]
    start = datetime(2025, 11, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    # Runs: metrics.csv for most; every fifth metrics.jsonl, every tenth TensorBoard events,
    # every tenth (another tenth) a Hugging Face trainer_state.json.
    shot_png = [png(rng) for _ in range(8)]
    for index, model_id in enumerate(model_ids[:runs]):
        folder = journal / "runs" / model_id
        folder.mkdir(parents=True, exist_ok=True)
        names = METRICS[:metrics]
        values = {m: rng.uniform(0.5, 2.0) for m in names}
        rows = []
        for step in range(1, steps + 1):
            for m in names:
                values[m] *= 1 - rng.uniform(-0.002, 0.004)
            rows.append((step, [values[m] + rng.gauss(0, 0.01) for m in names]))
        if index % 10 == 3:
            with open(folder / f"events.out.tfevents.{1700000000 + index}.host", "wb") as handle:
                for step, vals in rows:
                    handle.write(tensorboard_record(step, dict(zip(names, vals))))
        elif index % 10 == 7:
            history = [{"epoch": step / 1000, "step": step, **dict(zip(names, (round(v, 5) for v in vals)))}
                       for step, vals in rows]
            (folder / "trainer_state.json").write_text(json.dumps(
                {"global_step": steps, "log_history": history, "train_batch_size": 64}, indent=2))
        elif index % 5 == 4:
            with open(folder / "metrics.jsonl", "w") as handle:
                for step, vals in rows:
                    handle.write(json.dumps({"step": step, **dict(zip(names, (round(v, 5) for v in vals)))}) + "\n")
        else:
            with open(folder / "metrics.csv", "w") as handle:
                handle.write("step," + ",".join(names) + "\n")
                for step, vals in rows:
                    handle.write(f"{step}," + ",".join(f"{v:.5f}" for v in vals) + "\n")
        (folder / "run.json").write_text(json.dumps({"command": f"python train.py {model_id} --lr 3e-4",
                                                     "params": {"lr": 3e-4, "batch": 64, "seed": index}}))
    for number in range(screenshots):
        model_id = model_ids[number % runs]
        (journal / "runs" / model_id / f"tensorboard-{number // runs + 1}.png").write_bytes(shot_png[number % len(shot_png)])
    # Entries: a few a day, each about one model (sometimes two), mentioning others.
    first_entry: set[str] = set()
    for number in range(entries):
        model_id = model_ids[(number * 7 + rng.randint(0, 6)) % len(model_ids)]
        when = start + timedelta(minutes=number * 250 + rng.randint(0, 200))
        family, n = model_id.rsplit("-", 1)
        parent = f"{family}-{int(n) - 1}" if int(n) > 1 and rng.random() < 0.9 else None
        tags = rng.sample(WORDS, k=rng.randint(0, 3))
        lines = ["---", f"date: {when.isoformat(sep=' ')}", f"model: {model_id}"]
        if parent and model_id not in first_entry:
            lines.append(f"parent: {parent}")
        if tags:
            lines.append("tags: [" + ", ".join(tags) + "]")
        lines.append(f"status: {rng.choice(['running', 'done', 'done', 'abandoned'])}")
        lines.append("---")
        nearby = model_ids[max(0, model_ids.index(model_id) - 12): model_ids.index(model_id) + 12]
        body = []
        if model_id not in first_entry:
            first_entry.add(model_id)
            body += ["## Hypothesis", sentence(rng, nearby), ""]
        body += [" ".join(sentence(rng, nearby) for _ in range(rng.randint(2, 5))), ""]
        if rng.random() < 0.3:
            body += ["| checkpoint | val_loss | val_acc |", "|---|---|---|"] + [
                f"| step {s} | {rng.uniform(0.2, 1):.3f} | {rng.uniform(0.6, 0.99):.3f} |" for s in (1000, 2000, 5000)] + [""]
        if rng.random() < 0.3:
            body += ["```bash", f"python train.py {model_id} --lr {rng.choice(['1e-4', '3e-4', '1e-3'])}", "```", ""]
        if rng.random() < 0.15:
            body += [rng.choice(NON_LATIN), ""]
        if rng.random() < 0.4:
            body += ["## Conclusion", sentence(rng, nearby), ""]
        folder = journal / "entries" / when.strftime("%Y-%m")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{when:%Y-%m-%d}-{model_id}"
        path = folder / f"{name}.md"
        suffix = 2
        while path.exists():
            path = folder / f"{name}-{suffix}.md"
            suffix += 1
        path.write_text("\n".join(lines) + "\n" + "\n".join(body), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--metrics", type=int, default=4)
    parser.add_argument("--screenshots", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    make(args.out, args.entries, args.runs, args.steps, args.metrics, args.screenshots, args.seed)


if __name__ == "__main__":
    main()
