"""newsrag: question answering over news articles with verified, verbatim citations.

    from rag import answer
    res = answer("Where did Witkoff meet Putin?")
    print(res.text, res.citations)
"""

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

__all__ = [
    "Answer", "Citation", "IndexNotReadyError", "IngestError", "InvalidQuestionError", "LLMError",
    "RagError", "RagSettings", "StoreUnavailableError", "StreamReset", "answer", "answer_stream", "get_settings",
]
