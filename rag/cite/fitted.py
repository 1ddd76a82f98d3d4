"""Numbers the support checks use that were fitted on data, read from fitted.json (versioned with the
script that fits them, bench/fit_verifier.py, and the data: the tuning part of eval/adversarial.jsonl).
Does not fit anything itself."""

from __future__ import annotations

import json
from pathlib import Path

FILE = Path(__file__).with_name("fitted.json")
_VALUES = json.loads(FILE.read_text(encoding="utf-8"))

# The additions model (rag.cite.additions): feature names, standardisation, logistic weights and the
# probability a claim with unstated words needs to pass.
ADDITIONS: dict = _VALUES["additions"]
