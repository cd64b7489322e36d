"""A Hugging Face ``TrainerCallback`` that records into a journal run (optional: imports
transformers only when used).

    from mljournal.huggingface import JournalCallback
    trainer = Trainer(..., callbacks=[JournalCallback(run)])

Every ``on_log`` row goes to ``metrics.jsonl`` at the Trainer's global step (throughput
counters left out), and the training arguments become the run's parameters. Not needed
when the Trainer's ``output_dir`` is the run folder: its ``trainer_state.json`` is read as is.
"""

from __future__ import annotations

from mljournal.reading.formats.huggingface import THROUGHPUT
from mljournal.recording.run import Run


def JournalCallback(run: Run):  # noqa: N802 - used like the class it returns
    from transformers import TrainerCallback

    class _JournalCallback(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            params = args.to_sanitized_dict() if hasattr(args, "to_sanitized_dict") else {}
            keep = ("learning_rate", "per_device_train_batch_size", "num_train_epochs", "max_steps", "weight_decay",
                    "warmup_steps", "warmup_ratio", "lr_scheduler_type", "seed", "gradient_accumulation_steps",
                    "metric_for_best_model", "optim")
            run.set_params(**{k: params[k] for k in keep if k in params})

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not state.is_world_process_zero or not logs or "train_runtime" in logs:
                return  # the summary row after training is not a point of a curve
            values = {k: v for k, v in logs.items()
                      if isinstance(v, (int, float)) and not isinstance(v, bool) and not k.endswith(THROUGHPUT)
                      and k not in ("epoch", "total_flos", "step")}
            if values:
                run.log(values, step=state.global_step)

    return _JournalCallback()
