"""Scores for one answer and their aggregates over a run.

Per answer: ALCE citation recall/precision (sentence level, with a pluggable entailment `Judge`),
document-level citation precision/recall against gold sources, key-fact correctness, abstention,
quote validity (quote == file_text[start:end]) and retrieval hit/recall/reciprocal rank.
Aggregates keep abstention apart: citation and document scores average over answers that did not
abstain, so abstaining can never raise them; abstaining on an answerable question counts as incorrect.
Does not run any system (see systems.py, baseline.py).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from rag.cite.markers import extract_markers, split_answer_sentences
from rag.eval.dataset import Question
from rag.eval.judge import Judge
from rag.text import fold


@dataclass(frozen=True)
class CitedQuote:
    """A citation as any system reports it: marker number, file, quote and its claimed offsets."""

    n: int
    source: str
    quote: str
    start: int
    end: int


@dataclass
class SystemAnswer:
    """What one configuration produced for one question, in a system-neutral form."""

    text: str
    abstained: bool
    citations: list[CitedQuote] = field(default_factory=list)
    retrieved: list[list[str]] = field(default_factory=list)  # per rank: the sources that passage stands for
    latency: float = 0.0
    error: str | None = None
    conflict: bool = False
    short_answer: str | None = None  # the direct answer span, when the system gives one


@dataclass
class SentenceVerdict:
    """ALCE judgement of one answer sentence."""

    text: str
    markers: list[int]
    supported: bool  # recall: has citations, all valid, and together they entail the sentence
    precise: list[bool]  # one per marker


def fact_present(text: str, alternatives: list[str]) -> bool:
    """True when any phrasing occurs in `text` (case-insensitive, whole words, quotes/spaces normalised)."""
    hay = fold(text)
    for alt in alternatives:
        alt = fold(alt)
        # Whole words only, and a number must not continue across "," or "." ("10" is not in "10,000").
        left = r"(?<!\w)(?<!\d[.,])" if alt[:1].isalnum() else ""
        right = r"(?!\w)(?![.,]\d)" if alt[-1:].isalnum() else ""
        if re.search(left + re.escape(alt) + right, hay):
            return True
    return False


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """The answer's sentences with markers removed, each with the marker numbers it carried."""
    return [extract_markers(s) for s in split_answer_sentences(text)]


def alce_citations(text: str, citations: list[CitedQuote], judge: Judge,
                   texts: dict[str, str] | None = None) -> list[SentenceVerdict]:
    """ALCE (Gao et al. 2023) per-sentence citation recall and per-citation precision.

    Recall: the sentence has citations, all valid (the marker points at an existing citation and, when
    `texts` is given, its quote is verbatim at its offsets: a made-up quote supports nothing), and the
    cited quotes concatenated entail the sentence. Precision: a citation of a supported sentence is
    precise unless it alone does not entail the sentence AND the remaining citations do (redundant);
    citations of unsupported sentences, and out-of-range markers, are imprecise.
    """
    by_n = {c.n: c for c in citations if texts is None or quote_is_valid(c, texts)}
    verdicts: list[SentenceVerdict] = []
    for sentence, markers in cited_sentences(text):
        valid = bool(markers) and all(n in by_n for n in markers)
        supported = valid and judge.entails(" ".join(by_n[n].quote for n in markers), sentence)
        precise: list[bool] = []
        for n in markers:
            if not supported:
                precise.append(False)
            elif judge.entails(by_n[n].quote, sentence):
                precise.append(True)
            else:
                others = " ".join(by_n[m].quote for m in markers if m != n)
                precise.append(not (others and judge.entails(others, sentence)))
        verdicts.append(SentenceVerdict(sentence, markers, supported, precise))
    return verdicts


def used_citations(text: str, citations: list[CitedQuote]) -> list[CitedQuote]:
    """The citations the answer text actually points at (a baseline may return unused sources)."""
    used = {n for _, markers in cited_sentences(text) for n in markers}
    return [c for c in citations if c.n in used]


def quote_is_valid(c: CitedQuote, texts: dict[str, str]) -> bool:
    """True when the quote sits verbatim at its offsets in the original file."""
    original = texts.get(c.source)
    return original is not None and 0 <= c.start < c.end and original[c.start : c.end] == c.quote


def retrieval_scores(retrieved: list[list[str]], gold: list[str], k: int) -> dict[str, float]:
    """hit@k, recall@k (share of gold files among the top k) and reciprocal rank of the first gold passage."""
    top = retrieved[:k]
    found = {s for sources in top for s in sources} & set(gold)
    rank = next((i for i, sources in enumerate(top, start=1) if set(sources) & set(gold)), None)
    return {"hit_at_k": float(bool(found)), "recall_at_k": len(found) / len(gold), "mrr": 1 / rank if rank else 0.0}


def score_answer(q: Question, ans: SystemAnswer, texts: dict[str, str], judge: Judge, k: int) -> dict:
    """Every per-question score (None where a score does not apply to this question/answer)."""
    row: dict = {"abstained": ans.abstained, "error": ans.error, "short_answer": ans.short_answer,
                 "asks_span": asks_for_span(q.question)}
    answered = not ans.abstained and ans.error is None
    facts = [fact_present(ans.text, alts) for alts in q.key_facts] if answered else [False] * len(q.key_facts)
    row["facts_found"] = facts
    if q.answerable:
        row["correct"] = answered and all(facts)
        row["fact_recall"] = sum(facts) / len(facts)
        row.update(retrieval_scores(ans.retrieved, q.gold_sources, k))
    else:
        row["correct"] = ans.abstained and ans.error is None
        row["fact_recall"] = row["hit_at_k"] = row["recall_at_k"] = row["mrr"] = None

    used = used_citations(ans.text, ans.citations) if answered else []
    valid = [quote_is_valid(c, texts) for c in used]
    row["quotes_valid"], row["quotes_total"] = sum(valid), len(valid)
    row["invalid_quotes"] = [asdict(c) for c, ok in zip(used, valid, strict=True) if not ok]
    row["citation_recall"] = row["citation_precision"] = None
    row["doc_precision"] = row["doc_recall"] = None
    row["sentences"] = []
    if answered:
        verdicts = alce_citations(ans.text, ans.citations, judge, texts)
        row["sentences"] = [asdict(v) for v in verdicts]
        n_cites = sum(len(v.markers) for v in verdicts)
        row["citation_recall"] = sum(v.supported for v in verdicts) / len(verdicts) if verdicts else 0.0
        row["citation_precision"] = sum(sum(v.precise) for v in verdicts) / n_cites if n_cites else 0.0
        if q.answerable:
            cited = {c.source for c in used}
            hits = cited & set(q.gold_sources)
            row["doc_precision"] = len(hits) / len(cited) if cited else 0.0
            row["doc_recall"] = len(hits) / len(q.gold_sources)
    return row


# Who / where / when / how many (how long, how old): the questions a direct answer span should answer.
SPAN_KINDS = frozenset({"person", "place", "city", "date", "number", "times", "duration", "age"})


def asks_for_span(question: str) -> bool:
    """Whether the question asks for one person, place, date or count (read as the offline reader reads it);
    a compound question ("Where ..., and how long ...?") has no single span."""
    from rag.generate.asking import read_question, split_compound  # spaCy: only when scoring

    return len(split_compound(question)) == 1 and read_question(question).kind in SPAN_KINDS


def format_value(value: float | None, metric: str = "") -> str:
    """A metric as reports and threshold messages print it: seconds to 2 decimals, scores to 3, or n/a."""
    if value is None:
        return "n/a"
    return f"{value:.2f}" if metric.startswith("latency") else f"{value:.3f}"


def _mean(values: list) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


AGGREGATE_METRICS = (
    "correctness", "fact_recall", "abstention_accuracy", "false_abstention_rate", "citation_recall",
    "citation_precision", "doc_precision", "doc_recall", "quote_validity", "hit_at_k", "recall_at_k", "mrr",
    "short_answer_rate", "latency_p50", "latency_p95",
)


def aggregate(rows: list[dict]) -> dict:
    """Run-level scores from per-question rows (each row also holds 'category' and 'latency')."""
    answerable = [r for r in rows if r["category"] != "unanswerable"]
    unanswerable = [r for r in rows if r["category"] == "unanswerable"]
    answered = [r for r in rows if r["citation_recall"] is not None]
    quotes_total = sum(r["quotes_total"] for r in rows)
    latencies = [r["latency"] for r in rows if r["error"] is None]
    agg = {
        "n_questions": len(rows),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "n_answered": len(answered),
        "n_errors": sum(r["error"] is not None for r in rows),
        "n_quotes": quotes_total,
        "correctness": _mean([r["correct"] for r in answerable]),
        "fact_recall": _mean([r["fact_recall"] for r in answerable]),
        "abstention_accuracy": _mean([r["abstained"] for r in unanswerable]),
        "false_abstention_rate": _mean([r["abstained"] for r in answerable]),
        "citation_recall": _mean([r["citation_recall"] for r in answered]),
        "citation_precision": _mean([r["citation_precision"] for r in answered]),
        "doc_precision": _mean([r["doc_precision"] for r in answerable]),
        "doc_recall": _mean([r["doc_recall"] for r in answerable]),
        # Vacuously perfect when nothing was quoted; n_quotes says how many were checked.
        "quote_validity": sum(r["quotes_valid"] for r in rows) / quotes_total if quotes_total else 1.0,
        "hit_at_k": _mean([r["hit_at_k"] for r in answerable]),
        "recall_at_k": _mean([r["recall_at_k"] for r in answerable]),
        "mrr": _mean([r["mrr"] for r in answerable]),
        # Correct answers to who/where/when/how-many questions that lead with a direct answer span.
        "short_answer_rate": _mean([r.get("short_answer") is not None for r in answerable
                                    if r["correct"] and r.get("asks_span")]),
        "latency_p50": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95": float(np.percentile(latencies, 95)) if latencies else None,
    }
    agg["by_category"] = {
        cat: {"n": len(rs), "correctness": _mean([r["correct"] for r in rs]),
              "fact_recall": _mean([r["fact_recall"] for r in rs]),
              "citation_recall": _mean([r["citation_recall"] for r in rs])}
        for cat in sorted({r["category"] for r in rows})
        for rs in [[r for r in rows if r["category"] == cat]]
    }
    return agg
