"""newsrag: question answering over news articles with verified, verbatim citations.

    from rag import answer
    res = answer("Where did Witkoff meet Putin?")
    print(res.text, res.citations)

Names are imported on first use, so `import rag` (and `rag --help`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "answer": "rag.answering", "answer_stream": "rag.answering", "article_count": "rag.answering",
    "list_articles": "rag.answering", "add_articles": "rag.answering", "delete_articles": "rag.answering",
    "warm": "rag.answering",
    "ArticleInfo": "rag.models", "CollectionConflictError": "rag.errors", "MissingPathError": "rag.errors",
    "Answer": "rag.models", "AnswerStream": "rag.models", "Citation": "rag.models", "StreamEvent": "rag.models",
    "StreamReset": "rag.models", "TextDelta": "rag.models",
    "IndexNotReadyError": "rag.errors", "IngestError": "rag.errors", "InvalidQuestionError": "rag.errors",
    "LLMError": "rag.errors", "RagError": "rag.errors", "StoreUnavailableError": "rag.errors",
    "RagSettings": "rag.settings", "get_settings": "rag.settings",
    "safe_url": "rag.text",
}
__all__ = [
    "Answer",
    "AnswerStream",
    "ArticleInfo",
    "Citation",
    "CollectionConflictError",
    "IndexNotReadyError",
    "IngestError",
    "InvalidQuestionError",
    "LLMError",
    "MissingPathError",
    "RagError",
    "RagSettings",
    "StoreUnavailableError",
    "StreamEvent",
    "StreamReset",
    "TextDelta",
    "add_articles",
    "answer",
    "answer_stream",
    "article_count",
    "delete_articles",
    "get_settings",
    "list_articles",
    "safe_url",
    "warm",
]

if TYPE_CHECKING:
    from rag.answering import (
        add_articles,
        answer,
        answer_stream,
        article_count,
        delete_articles,
        list_articles,
        warm,
    )
    from rag.errors import (
        CollectionConflictError,
        IndexNotReadyError,
        IngestError,
        InvalidQuestionError,
        LLMError,
        MissingPathError,
        RagError,
        StoreUnavailableError,
    )
    from rag.models import Answer, AnswerStream, ArticleInfo, Citation, StreamEvent, StreamReset, TextDelta
    from rag.settings import RagSettings, get_settings
    from rag.text import safe_url


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
