"""transformers Trainer on a tiny BERT built from a config, synthetic tokens, CPU.

Usage: python run_hf_trainer.py OUTPUT_DIR
OUTPUT_DIR is passed to TrainingArguments as given (relative or absolute: the
Trainer writes it as given into trainer_state.json's best_model_checkpoint).
Works with transformers 5.x and 4.x (4.x before 4.41 calls eval_strategy
`evaluation_strategy`).
"""
import dataclasses
import sys

import numpy as np
import torch
import transformers
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

VOCAB, SEQ = 50, 8


class TokenData(torch.utils.data.Dataset):
    """Label 1 when token 7 appears in the sequence: learnable in a few steps."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.ids = rng.integers(1, VOCAB, size=(n, SEQ))
        self.labels = (self.ids == 7).any(axis=1).astype(np.int64)
        # balance it a bit: put token 7 into every other sequence
        self.ids[::2, 0] = 7
        self.labels = (self.ids == 7).any(axis=1).astype(np.int64)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {
            "input_ids": torch.tensor(self.ids[i]),
            "attention_mask": torch.ones(SEQ, dtype=torch.long),
            "labels": torch.tensor(self.labels[i]),
        }


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, axis=-1) == labels).mean())}


def main(output_dir):
    set_seed(42)
    config = BertConfig(vocab_size=VOCAB, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32,
                        max_position_embeddings=SEQ, num_labels=2)
    model = BertForSequenceClassification(config)
    train, val, test = TokenData(64, 0), TokenData(32, 1), TokenData(32, 2)

    major = int(transformers.__version__.split(".")[0])
    minor = int(transformers.__version__.split(".")[1])
    strategy_key = "eval_strategy" if (major, minor) >= (4, 41) else "evaluation_strategy"
    kwargs = {strategy_key: "steps"}
    fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    kwargs["use_cpu" if "use_cpu" in fields else "no_cuda"] = True
    args = TrainingArguments(
        output_dir=output_dir,
        num_train_epochs=4,
        per_device_train_batch_size=8,
        per_device_eval_batch_size=16,
        learning_rate=5e-3,
        logging_steps=4,
        eval_steps=8,
        save_steps=8,
        save_strategy="steps",
        metric_for_best_model="accuracy",
        greater_is_better=True,
        load_best_model_at_end=True,
        report_to=["tensorboard"],
        seed=42,
        dataloader_num_workers=0,
        disable_tqdm=True,
        **kwargs,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train,
                      eval_dataset=val, compute_metrics=compute_metrics)
    train_result = trainer.train()
    trainer.save_model()
    metrics = train_result.metrics
    metrics["train_samples"] = len(train)
    trainer.log_metrics("train", metrics)
    trainer.save_metrics("train", metrics)
    trainer.save_state()

    metrics = trainer.evaluate()
    metrics["eval_samples"] = len(val)
    trainer.log_metrics("eval", metrics)
    trainer.save_metrics("eval", metrics)

    predictions = trainer.predict(test, metric_key_prefix="test")
    metrics = predictions.metrics
    metrics["test_samples"] = len(test)
    trainer.log_metrics("test", metrics)
    trainer.save_metrics("test", metrics)


if __name__ == "__main__":
    main(sys.argv[1])
