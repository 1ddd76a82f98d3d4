"""The exceptions newsrag raises; each message tells the user what to do next."""


class RagError(Exception):
    """Base class of every error newsrag raises on purpose."""


class InvalidQuestionError(RagError, ValueError):
    """The question is empty, too long or otherwise unusable."""


class IndexNotReadyError(RagError):
    """There is nothing to search yet."""


class OlderIndexError(IndexNotReadyError):
    """The store holds only an index written by an older pipeline version, which is not used (re-ingest)."""


class StoreUnavailableError(RagError):
    """The Chroma store cannot be opened or reached."""


class LLMError(RagError):
    """The LLM failed, timed out or returned something unusable."""


class IngestError(RagError):
    """A file or corpus could not be ingested."""


class MissingPathError(IngestError):
    """A file or folder given to ingest does not exist."""


class URLRefusedError(IngestError):
    """A URL was refused for safety: scheme, address, redirects or size (see rag/ingest/fetch.py)."""


class URLFetchError(IngestError):
    """A URL could not be fetched or holds no article (network error, HTTP status, content type)."""


class UnsupportedURLSchemeError(URLRefusedError):
    """Only http and https URLs are fetched."""


class PrivateAddressError(URLRefusedError):
    """The host resolves to a loopback, private, link-local or reserved address (RAG_URL_ALLOW_PRIVATE)."""


class TooManyRedirectsError(URLRefusedError):
    """The URL redirected more often than RAG_URL_MAX_REDIRECTS allows."""


class ResponseTooLargeError(URLRefusedError):
    """The response body is larger than RAG_MAX_FILE_BYTES."""


class ExtractionError(IngestError):
    """A file's content could not be read as an article (malformed, encrypted, no text); the file is skipped."""


class CollectionConflictError(IngestError):
    """A folder's default collection name is already used by articles from another folder (use --collection)."""
