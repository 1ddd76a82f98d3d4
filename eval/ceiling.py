"""What an extractive reader could reach at best on a labelled set: for each answerable question, whether the
retrieved passages hold a sentence (or a sentence with the one before it, or any two sentences) with every key
fact. Beside a `rag eval` report it splits the misses into retrieval's and the reader's. No tuning: it reads only
the labels, and prints one table.

    python -m rag.eval.ceiling --dataset eval/questions_leebg_test2.jsonl --corpus leebg [--report DIR/report.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from itertools import combinations
from pathlib import Path

from rag.eval.corpora import resolve_corpus
from rag.eval.dataset import load_questions
from rag.eval.metrics import fact_present
from rag.eval.runner import eval_settings
from rag.generate.features import Candidate, candidates
from rag.ingest.pipeline import ingest


def holds_all(text: str, facts: list[list[str]]) -> bool:
    """Whether `text` states every key fact (any phrasing of each)."""
    return all(fact_present(text, alternatives) for alternatives in facts)


def answers(cand: Candidate, facts: list[list[str]]) -> bool:
    """Whether the candidate sentence, alone or with the sentence before it, states every key fact."""
    return holds_all(cand.text, facts) or (bool(cand.previous) and holds_all(f"{cand.previous} {cand.text}", facts))


def ceiling(dataset: Path, corpus_dir: Path, out_dir: Path) -> dict[str, float]:
    """Shares of the answerable questions whose retrieved passages hold every key fact in one sentence, in a
    sentence and the one before it, in any two sentences, and anywhere in the passages."""
    from rag.answering import Pipeline

    settings = eval_settings(out_dir, corpus_dir)
    ingest([corpus_dir], settings, prune=True)
    pipeline = Pipeline(settings)
    counts = {"passages": 0, "one sentence": 0, "sentence with the one before": 0, "any two sentences": 0}
    answerable = [q for q in load_questions(dataset, corpus_dir) if q.answerable]
    for q in answerable:
        passages = pipeline.retriever.retrieve(q.question)
        cands = candidates(passages)
        texts = [c.text for c in cands]
        counts["passages"] += holds_all(" ".join(p.text for p in passages), q.key_facts)
        counts["one sentence"] += any(holds_all(t, q.key_facts) for t in texts)
        counts["sentence with the one before"] += any(answers(c, q.key_facts) for c in cands)
        counts["any two sentences"] += any(holds_all(t, q.key_facts) for t in texts) or any(
            holds_all(f"{a} {b}", q.key_facts) for a, b in combinations(texts, 2))
    return {k: v / max(len(answerable), 1) for k, v in counts.items()} | {"n_answerable": len(answerable)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--corpus", default="seeds", help="a folder, or a named corpus (lee, leebg)")
    parser.add_argument("--report", type=Path, help="a rag eval report.json on the same set, to print beside")
    parser.add_argument("--out", type=Path, help="where the index is kept (default: a temporary folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="ceiling-"))
    shares = ceiling(args.dataset, resolve_corpus(args.corpus), out)
    print(f"| every key fact in the retrieved ... (n={shares.pop('n_answerable')} answerable) | share |")
    print("|---|---|")
    for name, share in shares.items():
        print(f"| {name} | {share:.3f} |")
    if args.report:
        aggregates = json.loads(args.report.read_text(encoding="utf-8"))["aggregates"]
        for config, agg in aggregates.items():
            print(f"| `{config}` answer correctness | {agg['correctness']:.3f} |")


if __name__ == "__main__":
    main()
