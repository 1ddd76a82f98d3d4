"""The exceptions newsrag raises; each message tells the user what to do next."""


class RagError(Exception):
    """Base class of every error newsrag raises on purpose."""


class InvalidQuestionError(RagError, ValueError):
    """The question is empty, too long or otherwise unusable."""


class IndexNotReadyError(RagError):
    """There is nothing to search yet."""


class StoreUnavailableError(RagError):
    """The Chroma store cannot be opened or reached."""


class LLMError(RagError):
    """The LLM failed, timed out or returned something unusable."""


class IngestError(RagError):
    """A file or corpus could not be ingested."""
