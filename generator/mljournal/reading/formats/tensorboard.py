"""TensorBoard logs: every ``events.out.tfevents*`` file in the run folder (CatBoost's
``catboost_info/learn/events.out.tfevents`` has no suffix; a file of that name that is not
TensorBoard's record format is named in a warning, byte by byte where it breaks).

TensorBoard calls each folder of event files a "run" and each series a "tag". Metric names
are the tags, prefixed by their folder relative to the shallowest folder holding event
files, as TensorBoard shows them: Keras' ``train/epoch_loss`` and ``validation/epoch_loss``,
PyTorch's ``add_scalars('acc', …)`` as ``acc_train/acc``. Several files in one folder
(a resumed run) are one series; the last value written for a step wins. Images become
screenshots: per tag, the first step's and the last three steps'.
"""

from __future__ import annotations

import re
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import Format, Image, Part, Shown, folder_of, name_of
from mljournal.reading.formats.tfevents import Damage, images_of_tensor, read_events
from mljournal.reading.metrics import Collector

PREFIX = "events.out.tfevents"  # then usually .<time>.<host>...; CatBoost writes the bare name
NOT_SCALARS = frozenset({"images", "text", "histograms", "hparams", "pr_curves", "audio", "graphs", "mesh", "custom_scalars"})
IMAGES_PER_TAG = 4
_TIMESTAMP = re.compile(r"^\d{9,}\.\d+$")


def claim(files: list[str]) -> list[list[str]]:
    ours = [f for f in files if name_of(f).startswith(PREFIX)]
    return [ours] if ours else []


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    part = Part("TensorBoard", list(files))
    diagnostics: list[Diagnostic] = []
    collector = Collector()
    root = _log_root(files)
    plugin_of: dict[tuple[str, str], str] = {}
    kept: dict[tuple[str, str], dict[int, list[bytes]]] = {}
    for relative in sorted(files, key=lambda f: (folder_of(f), name_of(f))):
        run = folder_of(relative)[len(root):].strip("/") if root else folder_of(relative)
        if _TIMESTAMP.match(run.rpartition("/")[2]):  # add_hparams' own folder, named by time.time()
            run = run.rpartition("/")[0]
        try:
            for event in read_events(folder / relative):
                if isinstance(event, Damage):
                    diagnostics.append(Diagnostic(f"byte {event.offset}: {event.message}", shown(relative)))
                    continue
                for value in event.values:
                    key = (run, value.tag)
                    if value.plugin:
                        plugin_of.setdefault(key, value.plugin)
                        if value.hparams:
                            part.params.update(value.hparams)
                    plugin = plugin_of.get(key)
                    if plugin == "images":
                        images_of_tensor(value)
                    if value.images:
                        _keep(kept.setdefault(key, {}), event.step, value.images)
                    elif value.number is not None and plugin not in NOT_SCALARS:
                        collector.add(f"{run}/{value.tag}" if run else value.tag, event.step, value.number)
        except OSError as error:
            diagnostics.append(Diagnostic(f"cannot read: {error.strerror or error}", shown(relative)))
    part.metrics = collector.series()
    for (run, tag), by_step in sorted(kept.items()):
        for step, images in sorted(by_step.items()):
            for number, data in enumerate(images):
                suffix = f"-{number + 1}" if len(images) > 1 else ""
                name = f"tensorboard/{_safe(run + '/' + tag if run else tag)}/step-{step}{suffix}{_extension(data)}"
                part.images.append(Image(name, data, f"{run + '/' if run else ''}{tag} at step {step}"))
    return part, diagnostics


def _keep(by_step: dict[int, list[bytes]], step: int, images: list[bytes]) -> None:
    by_step[step] = images
    if len(by_step) > IMAGES_PER_TAG:
        steps = sorted(by_step)
        del by_step[steps[1]]  # keep the first and the latest ones


def _log_root(files: list[str]) -> str:
    folders = sorted({folder_of(f) for f in files})
    common = folders[0].split("/") if folders[0] else []
    for other in folders[1:]:
        parts = other.split("/") if other else []
        length = 0
        while length < min(len(common), len(parts)) and common[length] == parts[length]:
            length += 1
        common = common[:length]
    return "/".join(common)


def _safe(name: str) -> str:
    return "/".join(re.sub(r"[^A-Za-z0-9._-]+", "_", piece).strip("._") or "_" for piece in name.split("/"))


def _extension(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data.startswith(b"\xff\xd8"):
        return ".jpg"
    if data.startswith(b"GIF8"):
        return ".gif"
    return ".png"


FORMAT = Format("TensorBoard", claim, read)
