"""Numbers the support checks use that were fitted on data, read from fitted.json (versioned with the
script that fits them, bench/fit_verifier.py, and the data: the tuning part of eval/adversarial.jsonl).
Does not fit anything itself."""

from __future__ import annotations

import json
from pathlib import Path

FILE = Path(__file__).with_name("fitted.json")
_VALUES = json.loads(FILE.read_text(encoding="utf-8"))

WORD_SIMILARITY: float = _VALUES["word_similarity"]  # cosine (MiniLM) a claim word needs to a quote word
MAX_SIMILAR_WORDS: int = _VALUES["max_similar_words"]  # claim words that may be matched by similarity alone
