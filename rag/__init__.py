"""newsrag: question answering over news articles with verified, verbatim citations.

    from rag import answer
    res = answer("Where did Witkoff meet Putin?")
    print(res.text, res.citations)

The public names are imported on first use (PEP 562 module `__getattr__`), so importing a submodule
such as `rag.cli` or `rag.settings` does not pay for llama-index, chromadb and openai.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it
_EXPORTS = {
    "answer": "rag.answering",
    "answer_stream": "rag.answering",
    "IndexNotReadyError": "rag.errors",
    "IngestError": "rag.errors",
    "InvalidQuestionError": "rag.errors",
    "LLMError": "rag.errors",
    "RagError": "rag.errors",
    "StoreUnavailableError": "rag.errors",
    "Answer": "rag.models",
    "Citation": "rag.models",
    "StreamReset": "rag.models",
    "RagSettings": "rag.settings",
    "get_settings": "rag.settings",
}

__all__ = [
    "Answer", "Citation", "IndexNotReadyError", "IngestError", "InvalidQuestionError", "LLMError",
    "RagError", "RagSettings", "StoreUnavailableError", "StreamReset", "answer", "answer_stream", "get_settings",
]

if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from rag.answering import answer, answer_stream
    from rag.errors import (
        IndexNotReadyError,
        IngestError,
        InvalidQuestionError,
        LLMError,
        RagError,
        StoreUnavailableError,
    )
    from rag.models import Answer, Citation, StreamReset
    from rag.settings import RagSettings, get_settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
