"""The configurations `rag eval` can compare, each built into a function question -> `SystemAnswer`.

- `hybrid`: the default pipeline (BM25 + dense, RRF) through the public `rag.answering.answer` API.
- `dense`: the same pipeline with `RagSettings(hybrid=False)`.
- `learned`: the same pipeline with the learned offline reader (`RAG_READER=learned`).
- `baseline`: LlamaIndex's CitationQueryEngine over the same collection and embedder (baseline.py).
- `sentence-baseline`: the same retrieval, answering with the single most similar sentence (sentence_baseline.py).
Does not score anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rag.answering import answer
from rag.eval.baseline import build_baseline
from rag.eval.metrics import CitedQuote, SystemAnswer
from rag.eval.sentence_baseline import NAME as SENTENCE_BASELINE
from rag.eval.sentence_baseline import SIMILARITY_CUT, build_sentence_baseline
from rag.settings import RagSettings

BASELINE = "baseline"


@dataclass(frozen=True)
class ConfigSpec:
    """A named configuration: what it is and which settings it changes."""

    name: str
    description: str
    overrides: dict


CONFIGS: dict[str, ConfigSpec] = {
    "hybrid": ConfigSpec("hybrid", "our pipeline, hybrid retrieval (BM25 + dense, RRF): the default", {}),
    "dense": ConfigSpec("dense", "our pipeline, dense-only retrieval (RAG_HYBRID=false)", {"hybrid": False}),
    "learned": ConfigSpec("learned", "our pipeline with the learned offline reader (RAG_READER=learned)",
                          {"reader": "learned"}),
    BASELINE: ConfigSpec(BASELINE, "LlamaIndex CitationQueryEngine over the same Chroma collection and embedder",
                         {}),
    SENTENCE_BASELINE: ConfigSpec(SENTENCE_BASELINE, "same retrieval, the single most similar sentence quoted "
                                  f"(abstains below cosine {SIMILARITY_CUT})", {}),
}
DEFAULT_CONFIGS = ("hybrid", "dense", BASELINE, SENTENCE_BASELINE)
REFERENCES = frozenset({BASELINE, SENTENCE_BASELINE})  # reference systems: reported, never gated


def unknown_configs(names: list[str]) -> list[str]:
    """Names that are not configurations."""
    return [n for n in names if n not in CONFIGS]


def _ours(settings: RagSettings) -> Callable[[str], SystemAnswer]:
    def run(question: str) -> SystemAnswer:
        t0 = time.perf_counter()
        res = answer(question, settings=settings)
        latency = time.perf_counter() - t0
        return SystemAnswer(
            text=res.text, abstained=res.abstained, conflict=res.conflict, latency=latency,
            citations=[CitedQuote(c.n, c.source, c.quote, c.start, c.end) for c in res.citations],
            retrieved=[[p.source, *p.also_in] for p in res.passages],
            short_answer=res.short_answer.text if res.short_answer else None,
        )

    return run


def build_system(name: str, settings: RagSettings, texts: dict[str, str]) -> tuple[Callable[[str], SystemAnswer], str]:
    """The answering function for configuration `name` and the answerer it uses (for the report)."""
    spec = CONFIGS[name]
    configured = settings.model_copy(update=spec.overrides)
    if name == BASELINE:
        return build_baseline(configured, texts)
    if name == SENTENCE_BASELINE:
        return build_sentence_baseline(configured), "nearest-sentence"
    return _ours(configured), (f"llm:{configured.llm_model}" if configured.llm_enabled else "extractive")
