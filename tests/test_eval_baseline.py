"""The offline stand-in LLM of the CitationQueryEngine baseline answers deterministically."""

from __future__ import annotations

from llama_index.core.query_engine.citation_query_engine import CITATION_QA_TEMPLATE

from rag.eval.baseline import FirstSentenceLLM, first_sentence_answer
from rag.generate.prompts import ABSTAIN_TEXT


def _prompt(context: str) -> str:
    return CITATION_QA_TEMPLATE.format(context_str=context, query_str="Where did they meet?")


def test_first_sentence_answer__quotes_source_1_and_cites_it() -> None:
    context = ("Source 1:\nWitkoff met Putin in St. Petersburg. It lasted hours.\n\n"
               "Source 2:\nSomething else entirely.\n")
    assert first_sentence_answer(_prompt(context)) == "Witkoff met Putin in St. Petersburg. [1]"


def test_first_sentence_answer__abstains_without_sources() -> None:
    assert first_sentence_answer(_prompt("")) == ABSTAIN_TEXT


def test_first_sentence_llm__is_a_llama_index_llm() -> None:
    reply = FirstSentenceLLM().complete(_prompt("Source 1:\nOnly one sentence here.\n"))
    assert reply.text == "Only one sentence here. [1]"
