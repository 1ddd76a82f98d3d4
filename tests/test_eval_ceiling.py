"""eval/ceiling.py: the share of answerable questions whose retrieved passages hold every key fact, by how many
sentences the facts span (the bound an extractive reader cannot pass)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.eval.ceiling import ceiling
from tests.conftest import SEEDS


def test_ceiling__counts_facts_in_one_sentence_and_across_two_and_skips_unanswerable(tmp_path: Path) -> None:
    rows = [
        {"id": "one", "category": "single", "question": "Where did Witkoff meet Putin and for how long?",
         "reference_answer": "-", "key_facts": ["St. Petersburg", "four and a half hours"],
         "gold_sources": ["003_eaebfa045854f265.txt"]},
        {"id": "two", "category": "multi_hop", "question": "How much did Karelina donate, and where was she freed?",
         "reference_answer": "-", "key_facts": ["$51", "Abu Dhabi"],
         "gold_sources": ["000_c4712fde8296b1f4.txt", "001_8637233b93c6c890.txt", "003_eaebfa045854f265.txt"]},
        {"id": "none", "category": "unanswerable", "question": "What is Witkoff's net worth?",
         "reference_answer": "-", "key_facts": [], "gold_sources": []},
    ]
    dataset = tmp_path / "q.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    shares = ceiling(dataset, SEEDS, tmp_path / "out")
    assert shares["n_answerable"] == 2
    assert shares["one sentence"] == pytest.approx(0.5)  # the meeting's place and length share a sentence
    assert shares["any two sentences"] == pytest.approx(1.0) and shares["passages"] == pytest.approx(1.0)
