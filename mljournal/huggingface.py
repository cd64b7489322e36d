"""``JournalCallback(run)``: a Hugging Face TrainerCallback recording into a journal run."""

from generator.recording.huggingface import JournalCallback

__all__ = ["JournalCallback"]
