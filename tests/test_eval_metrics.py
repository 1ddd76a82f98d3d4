"""The eval's metrics on hand-made cases: correct, unsupported, redundant and out-of-range citations,
abstentions, quote validity, key facts, retrieval, thresholds and the optional LLM judge."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback

from rag.eval.dataset import Question
from rag.eval.judge import LexicalJudge, LLMJudge
from rag.eval.metrics import (
    CitedQuote,
    SystemAnswer,
    aggregate,
    alce_citations,
    asks_for_span,
    fact_present,
    retrieval_scores,
    score_answer,
)
from rag.eval.runner import check_thresholds
from rag.generate.prompts import ABSTAIN_TEXT
from tests.conftest import seed_text

D = "003_eaebfa045854f265.txt"
B = "001_8637233b93c6c890.txt"
MEETING = ("Witkoff met with Putin at the presidential library in St. Petersburg, which state news agencies said "
           "lasted four and a half hours.")
PLEDGE = ("The meeting took place as the UK and Germany hosted a summit of Ukraine’s allies in Brussels, where 50 "
          "nations pledged €21 billion (approximately £18.2 billion) in military assistance for Ukraine.")
TEXTS = {D: seed_text(D), B: seed_text(B)}


def _quote(n: int, source: str, quote: str) -> CitedQuote:
    start = TEXTS[source].index(quote)
    return CitedQuote(n, source, quote, start, start + len(quote))


MEETING_Q = _quote(1, D, MEETING)
PLEDGE_Q = _quote(2, B, PLEDGE)
JUDGE = LexicalJudge()


@pytest.mark.parametrize(
    ("name", "text", "citations", "supported", "precise"),
    [
        ("correct citation", "The meeting lasted four and a half hours at the presidential library. [1]",
         [MEETING_Q], [True], [[True]]),
        ("unsupported citation", "Ukraine's allies pledged 21 billion euros in Brussels. [1]",
         [MEETING_Q], [False], [[False]]),
        ("out-of-range marker", "The meeting lasted four and a half hours. [3]", [MEETING_Q], [False], [[False]]),
        ("one good, one redundant", "The meeting lasted four and a half hours. [1][2]",
         [MEETING_Q, PLEDGE_Q], [True], [[True, False]]),
        ("two citations both needed", "Witkoff and Putin met for four and a half hours while 50 nations pledged "
         "€21 billion. [1][2]", [MEETING_Q, PLEDGE_Q], [True], [[True, True]]),
        ("sentence without citation", "The meeting lasted four and a half hours.", [MEETING_Q], [False], [[]]),
        ("per sentence", "The meeting lasted four and a half hours. [1] Fifty nations pledged €21 billion. [1]",
         [MEETING_Q, PLEDGE_Q], [True, False], [[True], [False]]),
    ],
)
def test_alce_citations__judges_each_sentence_and_citation(name, text, citations, supported, precise) -> None:
    verdicts = alce_citations(text, citations, JUDGE)
    assert [v.supported for v in verdicts] == supported, name
    assert [v.precise for v in verdicts] == precise, name


def test_alce_citations__quote_not_verbatim_in_its_file_supports_nothing() -> None:
    fabricated = CitedQuote(1, D, "The meeting lasted four and a half hours.", 383, 424)
    verdicts = alce_citations("The meeting lasted four and a half hours. [1]", [fabricated], JUDGE, TEXTS)
    assert [(v.supported, v.precise) for v in verdicts] == [(False, [False])]
    assert alce_citations("The meeting lasted four and a half hours. [1]", [MEETING_Q], JUDGE, TEXTS)[0].supported


def _question(category: str = "single", facts=(("four and a half hours",),), gold=(D,)) -> Question:
    if category == "unanswerable":
        facts, gold = (), ()
    return Question(id="q", category=category, question="How long did the meeting last?", reference_answer="x",
                    key_facts=[list(f) for f in facts], gold_sources=list(gold))


def _row(q: Question, ans: SystemAnswer) -> dict:
    return {**score_answer(q, ans, TEXTS, JUDGE, k=6), "category": str(q.category), "latency": ans.latency}


def test_score_answer__correct_answer_scores_full_marks() -> None:
    ans = SystemAnswer(f"{MEETING} [1]", False, [MEETING_Q], retrieved=[[B], [D]], latency=1.0)
    row = _row(_question(), ans)
    assert row["correct"] and row["fact_recall"] == 1.0
    assert (row["citation_recall"], row["citation_precision"]) == (1.0, 1.0)
    assert (row["doc_precision"], row["doc_recall"]) == (1.0, 1.0)
    assert (row["quotes_valid"], row["quotes_total"]) == (1, 1)
    assert (row["hit_at_k"], row["recall_at_k"], row["mrr"]) == (1.0, 1.0, 0.5)


def test_score_answer__quote_off_its_offsets_is_invalid() -> None:
    shifted = CitedQuote(1, D, MEETING, MEETING_Q.start + 1, MEETING_Q.end + 1)
    row = _row(_question(), SystemAnswer(f"{MEETING} [1]", False, [shifted]))
    assert (row["quotes_valid"], row["quotes_total"]) == (0, 1)
    assert row["invalid_quotes"][0]["start"] == MEETING_Q.start + 1


@pytest.mark.parametrize(
    ("category", "abstained", "correct"),
    [("unanswerable", True, True), ("unanswerable", False, False), ("single", True, False)],
)
def test_score_answer__abstention_is_right_only_on_unanswerable(category, abstained, correct) -> None:
    ans = (SystemAnswer(ABSTAIN_TEXT, True) if abstained
           else SystemAnswer(f"{MEETING} [1]", False, [MEETING_Q]))
    row = _row(_question(category), ans)
    assert row["correct"] is correct
    if abstained:
        assert row["citation_recall"] is None and row["citation_precision"] is None and row["doc_precision"] is None


def test_aggregate__abstaining_never_raises_citation_precision_and_counts_separately() -> None:
    good = _row(_question(), SystemAnswer(f"{MEETING} [1]", False, [MEETING_Q], latency=1.0))
    bad = _row(_question(), SystemAnswer("Fifty nations pledged €21 billion. [1]", False, [MEETING_Q], latency=3.0))
    abstained = _row(_question(), SystemAnswer(ABSTAIN_TEXT, True, latency=2.0))
    unans = _row(_question("unanswerable"), SystemAnswer(ABSTAIN_TEXT, True, latency=2.0))
    agg = aggregate([good, bad, abstained, unans])
    assert agg["citation_precision"] == 0.5 and agg["citation_recall"] == 0.5  # over the 2 answered only
    assert agg["correctness"] == pytest.approx(1 / 3)
    assert agg["false_abstention_rate"] == pytest.approx(1 / 3)
    assert agg["abstention_accuracy"] == 1.0
    assert agg["quote_validity"] == 1.0 and agg["n_quotes"] == 2
    assert agg["latency_p50"] == 2.0


@pytest.mark.parametrize(
    ("text", "alternatives", "found"),
    [
        ("at least 10 people dead", ["10"], True),
        ("more than 100 drones", ["10"], False),
        ("10,000 troops", ["10"], False),
        ("5,000 soldiers a week", ["5000", "5,000"], True),
        ("Witkoff’s third meeting", ["witkoff's third"], True),
        ("the Grand Europe Hotel", ["Grand Hotel Europe", "grand europe hotel"], True),
        ("St.  Petersburg", ["St. Petersburg"], True),
        ("breakthroughs", ["breakthrough"], False),
    ],
)
def test_fact_present__whole_words_case_and_quotes_insensitive(text, alternatives, found) -> None:
    assert fact_present(text, alternatives) is found


def test_retrieval_scores__counts_collapsed_copies_and_rank() -> None:
    scores = retrieval_scores([["x.txt"], ["y.txt", B], [D]], [B, D], k=2)
    assert scores == {"hit_at_k": 1.0, "recall_at_k": 0.5, "mrr": 0.5}


def test_check_thresholds__gates_our_configs_not_the_baseline() -> None:
    report = {"aggregates": {"hybrid": {"quote_validity": 1.0, "false_abstention_rate": 0.3},
                             "baseline": {"quote_validity": 0.1, "false_abstention_rate": 0.9}}}
    failures = check_thresholds(report, {"quote_validity": 1.0}, {"false_abstention_rate": 0.2})
    assert failures == ["hybrid: false_abstention_rate = 0.300 is above the maximum 0.2"]


class _YesNoLLM(CustomLLM):
    """Says YES when the claim's first word appears in the premise."""

    calls: int = 0

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="yes-no")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.calls += 1
        premise = prompt.split("Premise:\n", 1)[1].split("\n\nClaim:", 1)[0]
        claim = prompt.split("Claim:\n", 1)[1].split("\n", 1)[0]
        return CompletionResponse(text="YES" if claim.split()[0] in premise else "NO")

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        yield self.complete(prompt)


def test_llm_judge__asks_the_model_once_per_pair() -> None:
    llm = _YesNoLLM()
    judge = LLMJudge(llm=llm)
    assert judge.entails("Witkoff met Putin.", "Witkoff was there.") is True
    assert judge.entails("Witkoff met Putin.", "Zelenskyy was there.") is False
    assert judge.entails("Witkoff met Putin.", "Witkoff was there.") is True
    assert llm.calls == 2


def test_aggregate__short_answer_rate_counts_correct_single_span_questions_only() -> None:
    with_span = _row(_question(), SystemAnswer(f"{MEETING} [1]", False, [MEETING_Q],
                                               short_answer="four and a half hours"))
    without = _row(_question(), SystemAnswer(f"{MEETING} [1]", False, [MEETING_Q]))
    wrong = _row(_question(), SystemAnswer("Fifty nations pledged €21 billion. [1]", False, [MEETING_Q]))
    compound = {**without, "asks_span": asks_for_span("Where did they meet, and how long did it last?")}
    agg = aggregate([with_span, without, wrong, compound])
    assert with_span["asks_span"] and not compound["asks_span"]
    assert agg["short_answer_rate"] == 0.5  # 1 of the 2 correct one-span answers; the wrong one is not counted
    assert not asks_for_span("What did Trump say about Crimea?") and asks_for_span("Who won?")
