"""The reference system: LlamaIndex's own `CitationQueryEngine` over the SAME Chroma collection and
embedding model as our pipeline, turned into a `SystemAnswer` so the same metrics score it.

The engine numbers its re-split chunks "Source N:" and never checks the [n] the model writes, so [n]
is mapped to `response.source_nodes[n-1]` and the quote is that node's text (its "Source N:" label
removed). Its offsets are found with str.find in the original file; a quote that is not verbatim
anywhere in the file gets offsets -1 and counts as invalid.

With an OpenAI-compatible LLM configured the engine uses it. Offline it gets `FirstSentenceLLM`, a
deterministic stand-in that answers with the first sentence of Source 1 followed by [1] (or the
abstain text when there are no sources): a retrieval-only baseline, reported as such.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from llama_index.core import VectorStoreIndex
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.query_engine import CitationQueryEngine
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.eval.metrics import CitedQuote, SystemAnswer
from rag.generate.prompts import ABSTAIN_TEXT
from rag.index.embeddings import build_embed_model, llama_index_embedding
from rag.index.store import chunks_collection
from rag.settings import RagSettings
from rag.text import split_sentences

STAND_IN_NAME = "first-sentence-stand-in"
STAND_IN_NOTE = (
    "Offline (no LLM configured) the CitationQueryEngine baseline uses a deterministic stand-in LLM that "
    "answers with the first sentence of 'Source 1' followed by [1], or the abstain text when no source "
    "was retrieved. It measures LlamaIndex's retrieval + citation plumbing, not an LLM's answers."
)
_CONTEXT = re.compile(r"sources of information:\s*\n-{6}\n(.*)\n-{6}\nQuery:", re.DOTALL)
_SOURCE_1 = re.compile(r"Source 1:\n(.*?)(?=\n\s*Source 2:\n|\Z)", re.DOTALL)
_SOURCE_LABEL = re.compile(r"^Source \d+:\n")
# What models write instead of citing when the sources do not help (no markers in the reply).
_REFUSAL = re.compile(r"\b(none of the sources|not (?:mentioned|provided|stated|specified)|no information|"
                      r"(?:do|does) not (?:contain|mention|provide|say|specify)|cannot (?:answer|determine))\b",
                      re.IGNORECASE)


def first_sentence_answer(prompt: str) -> str:
    """The stand-in's reply to a CitationQueryEngine prompt."""
    context = _CONTEXT.search(prompt)
    source = _SOURCE_1.search(context.group(1)) if context else None
    text = source.group(1).strip() if source else ""
    sentences = split_sentences(text) if text else []
    if not sentences:
        return ABSTAIN_TEXT
    return f"{' '.join(sentences[0].text.split())} [1]"


class FirstSentenceLLM(CustomLLM):
    """Deterministic offline stand-in for the baseline's LLM (see module docstring)."""

    context_window: int = 32_768
    num_output: int = 256

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                           model_name=STAND_IN_NAME)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=first_sentence_answer(prompt))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = first_sentence_answer(prompt)
        yield CompletionResponse(text=text, delta=text)


def _is_refusal(text: str) -> bool:
    stripped = text.strip()
    return (not stripped or stripped == "Empty Response" or ABSTAIN_TEXT in stripped
            or (not re.search(r"\[\d+\]", stripped) and bool(_REFUSAL.search(stripped))))


def build_baseline(settings: RagSettings, texts: dict[str, str]) -> tuple[Callable[[str], SystemAnswer], str]:
    """A function answering one question with the baseline, and a description of its LLM."""
    if settings.llm_enabled:
        from rag.generate.llm import build_llm

        llm = build_llm(settings)
        llm_name = f"llm:{settings.llm_model}"
    else:
        llm, llm_name = FirstSentenceLLM(), STAND_IN_NAME
    index = VectorStoreIndex.from_vector_store(
        ChromaVectorStore(chroma_collection=chunks_collection(settings)),
        embed_model=llama_index_embedding(build_embed_model(settings)),
    )
    engine = CitationQueryEngine.from_args(index, llm=llm, similarity_top_k=settings.top_k)

    def run(question: str) -> SystemAnswer:
        t0 = time.perf_counter()
        response = engine.query(question)
        latency = time.perf_counter() - t0
        nodes = response.source_nodes
        text = str(response.response or "")
        citations: list[CitedQuote] = []
        for n, node in enumerate(nodes, start=1):
            source = str(node.node.metadata.get("source", ""))
            quote = _SOURCE_LABEL.sub("", node.node.get_content())
            quote = quote[:-1] if quote.endswith("\n") else quote  # the engine appends one "\n"
            start = texts.get(source, "").find(quote) if quote else -1
            citations.append(CitedQuote(n, source, quote, start, start + len(quote) if start >= 0 else -1))
        retrieved = [[str(node.node.metadata.get("source", ""))] for node in nodes]
        abstained = not nodes or _is_refusal(text)
        return SystemAnswer(text=ABSTAIN_TEXT if abstained else text, abstained=abstained,
                            citations=[] if abstained else citations, retrieved=retrieved, latency=latency)

    return run, llm_name
