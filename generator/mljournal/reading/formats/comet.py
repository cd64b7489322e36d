"""Comet offline experiments (``comet_ml.OfflineExperiment``): ``<experiment id>.zip`` holding
``experiment.json`` (project, workspace, start and stop times, tags) and ``messages.json``
(JSON lines, despite the name: ``metric_msg``, ``parameter_msg``, ``log_other``,
``file_upload``…), with uploaded images as extensionless members. Read in the zip.

Nested parameters come flattened with ``|`` (shown with ``.``, as the other tools' are); NaN
and the infinities come as the strings ``"NaN"``/``"Infinity"``; Comet's own bookkeeping
(the auto-logged ``curr_step``/``curr_epoch`` parameters, ``sys.*`` system metrics) is left
out. Comet writes the zip when the experiment ends: a killed run leaves it empty, and its
data stays in the temporary folder of the machine that ran it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from mljournal.errors import Diagnostic
from mljournal.reading.formats import UNFINISHED, Format, Image, Part, Shown, name_of, newest_first_note
from mljournal.reading.formats.archive import image_suffix, json_lines, open_zip, read_member
from mljournal.reading.metrics import Collector, number_of

ARCHIVE = re.compile(r"[0-9a-f]{32}\.zip")
BOOKKEEPING_PARAMS = ("curr_step", "curr_epoch")
BOOKKEEPING_METRICS = ("process duration",)  # logged by the SDK as it ends
BOOKKEEPING_OTHERS = ("offline_experiment", "hasNestedParams", "Name")


def claim(files: list[str]) -> list[list[str]]:
    archives = sorted(f for f in files if ARCHIVE.fullmatch(name_of(f)))
    return [archives] if archives else []


def read(folder: Path, files: list[str], shown: Shown) -> tuple[Part, list[Diagnostic]]:
    part = Part("Comet", [])
    diagnostics: list[Diagnostic] = []
    experiments = []
    for relative in files:
        archive = open_zip(folder / relative, shown(relative), diagnostics)
        if archive is not None:
            experiment = _json(archive, "experiment.json", shown(relative), diagnostics) or {}
            experiments.append((int(experiment.get("start_time") or 0) if _is_int(experiment.get("start_time")) else 0,
                                relative, archive, experiment))
    if not experiments:
        return part, diagnostics
    experiments.sort(key=lambda found: (found[0], found[1]))
    _, chosen, archive, experiment = experiments[-1]
    where = shown(chosen)
    part.files.append(chosen)
    if not archive.namelist():
        part.meta["status"] = UNFINISHED
        part.notes.append("the experiment did not finish writing: Comet writes its zip when the experiment ends, "
                          "and this one is empty (its data stays in the temporary folder of the machine that ran it)")
    else:
        _experiment(experiment, part)
        _messages(archive, where, part, diagnostics)
        if "messages.json" not in archive.namelist():
            part.meta["status"] = UNFINISHED
    if len(experiments) > 1:
        part.notes.append(newest_first_note("experiment", chosen, [found[1] for found in experiments[:-1]]))
    for found in experiments:
        found[2].close()
    return part, diagnostics


def _experiment(experiment: dict, part: Part) -> None:
    for key, ours in (("start_time", "started"), ("stop_time", "finished")):
        if _is_int(experiment.get(key)):
            part.meta[ours] = datetime.fromtimestamp(experiment[key] / 1000, timezone.utc).isoformat(timespec="seconds")
    part.meta["status"] = "done" if _is_int(experiment.get("stop_time")) else UNFINISHED
    for key, label in (("project_name", "project"), ("workspace", "workspace"), ("offline_id", "experiment id")):
        if experiment.get(key):
            part.extra[label] = str(experiment[key])
    if isinstance(experiment.get("tags"), list) and experiment["tags"]:
        part.extra["tags"] = ", ".join(sorted(str(tag) for tag in experiment["tags"]))
    if experiment.get("customer_error_message"):
        part.notes.append(f"Comet reported: {experiment['customer_error_message']}")


def _messages(archive, where: str, part: Part, diagnostics: list[Diagnostic]) -> None:
    data = read_member(archive, "messages.json", where, diagnostics)
    if data is None:
        return
    collector = Collector()
    others: dict[str, float] = {}
    system = 0
    for message in json_lines(data, f"{where}:messages.json", diagnostics, "a JSON message"):
        if not isinstance(message, dict) or not isinstance(message.get("payload"), dict):
            continue
        kind, payload = message.get("type"), message["payload"]
        if kind == "metric_msg" and isinstance(payload.get("metric"), dict):
            metric = payload["metric"]
            name, value, step = str(metric.get("metricName", "")), number_of(metric.get("metricValue")), metric.get("step")
            if name.startswith("sys.") or name in BOOKKEEPING_METRICS:
                system += 1
            elif name and value is not None and _is_int(step):
                collector.add(name, step, value)
        elif kind == "parameter_msg":
            param = payload.get("param") or payload.get("params")
            if isinstance(param, dict) and param.get("source") != "auto-logged":
                name = str(param.get("paramName", ""))
                if name and name not in BOOKKEEPING_PARAMS:
                    value = param.get("paramValue")
                    part.params[name.replace("|", ".")] = (value if isinstance(value, str)
                                                          else json.dumps(value, ensure_ascii=False))
        elif kind == "log_other":
            key, value = str(payload.get("key", "")), payload.get("value")
            if key == "Name" and value:
                part.extra["name"] = str(value)
            elif key and key not in BOOKKEEPING_OTHERS:
                number_value = number_of(value)
                if number_value is not None and not isinstance(value, str):
                    others[key] = number_value
                elif value is not None:
                    part.extra[key] = str(value)
        elif kind == "file_upload":
            _image(archive, where, payload, part, diagnostics)
    part.metrics = collector.series()
    if others:
        part.results["other"] = others
    if system:
        part.notes.append(f"Comet's own metrics (sys.*, process duration: {system} points) are left out")


def _image(archive, where: str, payload: dict, part: Part, diagnostics: list[Diagnostic]) -> None:
    member = payload.get("file_path")
    extra = payload.get("additional_params") if isinstance(payload.get("additional_params"), dict) else {}
    if payload.get("upload_type") != "visualization" or not isinstance(member, str):
        return
    data = read_member(archive, member, where, diagnostics, 20 * 1024 * 1024)
    suffix = image_suffix(data) if data else None
    if suffix is None:
        return
    name = str(extra.get("figName") or member)
    step = extra.get("step")
    at = f" at step {step}" if _is_int(step) else ""
    part.images.append(Image(f"comet/{name}/{step if _is_int(step) else len(part.images)}.{suffix}", data,
                             f"{name}{at}"))


def _json(archive, member: str, where: str, diagnostics: list[Diagnostic]) -> dict | None:
    data = read_member(archive, member, where, diagnostics)
    if data is None:
        return None
    try:
        found = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        diagnostics.append(Diagnostic("not valid JSON; ignored", f"{where}:{member}"))
        return None
    return found if isinstance(found, dict) else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


FORMAT = Format("Comet", claim, read)
