"""bench/fit_verifier.py chooses the additions model's threshold item by item from recorded rows: an item is kept
when the path kept it with the model off or one of its rows reaches the threshold, and no threshold may add a false
accept beyond the budget to any kind."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).parent.parent / "bench" / "fit_verifier.py"
SPEC = importlib.util.spec_from_file_location("fit_verifier", SCRIPT)
fit_verifier = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(fit_verifier)

# One feature; the model's probability is the feature itself (standardised identity, logit weights).
MODEL = {"features": ["x"], "mean": [0.0], "scale": [1.0], "weights": [1.0], "bias": 0.0}
ITEMS = [
    {"id": "p1", "kind": "paraphrase", "label": "supported", "sentence": "Beijing scrapped the system."},
    {"id": "p2", "kind": "paraphrase", "label": "supported", "sentence": "The court turned down the appeal."},
    {"id": "n1", "kind": "negation", "label": "unsupported", "sentence": "The court upheld the appeal."},
]
ROWS = [{"claim": "Beijing scrapped the system.", "x": [2.0]},      # p = 0.88
        {"claim": "The court upheld the appeal.", "x": [1.0]},      # p = 0.73
        {"claim": "The court turned down the appeal.", "x": [0.0]}]  # p = 0.50
KEPT = {"p1": False, "p2": False, "n1": False}


def test_simulate__keeps_an_item_when_one_of_its_rows_reaches_the_threshold() -> None:
    strict = fit_verifier.simulate(ROWS, KEPT, ITEMS, MODEL, 0.8)
    assert strict["paraphrase"]["fr"] == 0.5 and strict["negation"]["fa"] == 0.0
    loose = fit_verifier.simulate(ROWS, KEPT, ITEMS, MODEL, 0.7)
    assert loose["negation"]["fa"] == 1.0 and loose["ALL"]["fr"] == 0.5
    off = fit_verifier.simulate(ROWS, {**KEPT, "p2": True}, ITEMS, MODEL, fit_verifier.OFF)
    assert off["paraphrase"]["fr"] == 0.5  # kept by the path with the model off


def test_choose__the_lowest_false_reject_rate_that_adds_no_false_accept_over_budget() -> None:
    results = fit_verifier.sweep(ROWS, KEPT, ITEMS, MODEL)
    best = fit_verifier.choose(results)
    assert best["threshold"] == 0.85 and best["fr"] == 0.5 and best["fa_by_kind"] == {}


def test_fit_logistic__keeps_each_weight_to_its_allowed_sign() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 6))
    y = (x[:, 0] > 0).astype(float)  # more missing words (feature 0, sign -1) made to look like a paraphrase
    model = fit_verifier.fit_logistic(x, y)
    assert model["weights"][0] == 0.0  # dropped: a missing word may never raise the probability
