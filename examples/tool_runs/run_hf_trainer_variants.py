"""The real Trainer's folders as people leave them (tests/fixtures/tools/hf-trainer-output,
hf-trainer-killed): the same tiny BERT as run_hf_trainer.py, with

    python run_hf_trainer_variants.py output output/logs ok     # everything under output/, TensorBoard in output/logs
    python run_hf_trainer_variants.py results logs kill         # killed at step 30: checkpoints to 24, TensorBoard to 28

run from an empty folder (the run folder). Made with transformers 5.18.0, torch 2.13.0+cpu,
tensorboard 2.21.0 on CPU; weights, optimizer and scheduler states and RNG states were then
deleted (as make_fixtures.py does), training_args.bin kept.
"""
import dataclasses
import os
import sys

from run_hf_trainer import SEQ, VOCAB, TokenData, compute_metrics
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainerCallback,
                          TrainingArguments, set_seed)


class Kill(TrainerCallback):
    """A run stopped between saves, as a pre-empted job is."""

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == 30:
            raise KeyboardInterrupt("killed at step 30")


def main(output_dir, logging_dir, kill):
    set_seed(42)
    config = BertConfig(vocab_size=VOCAB, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=SEQ, num_labels=2)
    model = BertForSequenceClassification(config)
    train, val = TokenData(64, 0), TokenData(32, 1)
    fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    extra = {"logging_dir": logging_dir} if "logging_dir" in fields else {}
    if "logging_dir" not in fields:  # transformers 5 reads it from the environment
        os.environ["TENSORBOARD_LOGGING_DIR"] = logging_dir
    args = TrainingArguments(
        output_dir=output_dir, num_train_epochs=4, per_device_train_batch_size=8, per_device_eval_batch_size=16,
        learning_rate=5e-3, logging_steps=4, eval_steps=8, save_steps=8, save_strategy="steps", eval_strategy="steps",
        metric_for_best_model="accuracy", greater_is_better=True, report_to=["tensorboard"], seed=42,
        dataloader_num_workers=0, disable_tqdm=True, use_cpu=True, **extra)
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val, compute_metrics=compute_metrics,
                      callbacks=[Kill()] if kill else [])
    try:
        trainer.train()
    except KeyboardInterrupt as error:
        print("interrupted:", error)
        return
    trainer.save_state()
    trainer.save_metrics("eval", trainer.evaluate())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] == "kill")
