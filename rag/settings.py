"""One typed settings object for the whole pipeline, read from env vars and `.env`.

Every knob lives here; modules receive a `RagSettings` instead of reading the environment themselves.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Bump when cleaning or chunking changes what ends up in the index, so old vectors are never mixed in.
PIPELINE_VERSION = "5"
LOCAL_EMBED_MODEL = "local-minilm-l6-v2-int8"


class RagSettings(BaseSettings):
    """Configuration for ingestion, retrieval, answering and the UI."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Corpus and storage
    corpus_dir: Path = Field(default=Path("seeds"), description="Folder ingested when no path is given.")
    data_dir: Path = Field(default=Path(".newsrag"), description="Where the embedded Chroma store lives.")
    collection: str = Field(default="news", description="Prefix of the Chroma collection name.")
    chroma_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CHROMA_HOST", "RAG_CHROMA_HOST"),
        description="Chroma server host; when set, a chromadb.HttpClient replaces the embedded store.",
    )
    chroma_port: int = Field(
        default=8000, validation_alias=AliasChoices("CHROMA_PORT", "RAG_CHROMA_PORT"),
        description="Chroma server port.",
    )
    chroma_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CHROMA_TOKEN", "RAG_CHROMA_TOKEN"),
        description="Optional token for a Chroma server behind token auth (sent by chromadb's token provider).",
    )
    chroma_token_header: str = Field(
        default="Authorization", validation_alias=AliasChoices("CHROMA_TOKEN_HEADER", "RAG_CHROMA_TOKEN_HEADER"),
        description="Header carrying CHROMA_TOKEN: 'Authorization' (sent as 'Bearer <token>') or 'X-Chroma-Token'.",
    )

    # Chunking
    chunk_size: int = Field(default=200, ge=32, description="Chunk size in tokens (llama-index SentenceSplitter).")
    chunk_overlap: int = Field(default=20, ge=0, description="Token overlap between neighbouring chunks.")
    max_file_bytes: int = Field(default=20_000_000, description="Files larger than this are skipped.")

    # Embeddings
    embed_model: str = Field(
        default=LOCAL_EMBED_MODEL,
        description=f"'{LOCAL_EMBED_MODEL}' (offline ONNX MiniLM) or an OpenAI embedding model name.",
    )
    embed_batch_size: int = Field(default=32, ge=1, description="Texts embedded per batch.")
    embed_threads: int = Field(default=2, ge=1, description="ONNX Runtime intra-op threads.")
    ingest_batch_chunks: int = Field(
        default=512, ge=1,
        description="Ingest embeds and writes this many chunks (from several articles) per store round trip.",
    )
    embed_cache_entries: int = Field(
        default=50_000, ge=0, description="Sentence embeddings the answerer keeps in memory (about 1.5 KB each)."
    )

    # Retrieval
    top_k: int = Field(default=6, ge=1, description="Passages handed to the answerer.")
    dense_k: int = Field(default=20, ge=1, description="Candidates from the vector search.")
    sparse_k: int = Field(default=20, ge=1, description="Candidates from BM25.")
    bm25_k1: float = Field(default=1.5, gt=0, description="BM25 term-frequency saturation (bm25s default).")
    bm25_b: float = Field(default=0.75, ge=0, le=1, description="BM25 length normalisation (bm25s default).")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    hybrid: bool = Field(default=True, description="Fuse BM25 with dense retrieval; False = dense only.")
    dedupe_overlap: float = Field(
        default=0.6, ge=0, le=1, description="Drop a passage when this share of its sentences is already shown."
    )

    # Answering
    max_question_chars: int = Field(default=2000, ge=10, description="Longer questions are rejected.")
    abstain_threshold: float = Field(
        default=0.45, description="Extractive answerer: best sentence score below this means 'not in the articles'."
    )
    max_answer_sentences: int = Field(default=3, ge=1, description="Extractive answerer: sentences per answer.")

    # LLM (OpenAI or any OpenAI-compatible server)
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "RAG_OPENAI_API_KEY"),
        description="Enables the LLM answerer with OpenAI.",
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "RAG_OPENAI_BASE_URL"),
        description="Any OpenAI-compatible server (Ollama, vLLM, llama.cpp); enables the LLM answerer.",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model name sent to the server.")
    llm_temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    llm_max_tokens: int = Field(default=512, ge=16, description="Maximum tokens per completion.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before one LLM request times out.")
    llm_max_retries: int = Field(
        default=2, ge=0,
        description="Retries after a timeout, dropped connection, HTTP 408/409/429/5xx, or an empty or malformed "
                    "completion, before falling back to the offline answer.",
    )
    llm_retry_backoff: float = Field(
        default=1.0, ge=0, description="Seconds before the first retry; doubles on each further retry."
    )
    llm_retry_max_wait: float = Field(
        default=20.0, ge=0, description="Longest wait between retries, also the cap on a server's Retry-After."
    )
    llm_verify: bool = Field(
        default=True,
        description="With an LLM: after the rule checks, ask the model in one request whether each cited quote "
        "states its sentence (YES/PARTIAL/NO; NO drops the sentence). RAG_LLM_VERIFY=false turns it off.",
    )
    llm_context_window: int = Field(default=8192, ge=512, description="Context window of a custom server model.")

    # UI
    ui_host: str = Field(default="127.0.0.1", description="Address the Gradio UI binds to.")
    ui_port: int = Field(default=7860, description="Port of the Gradio UI.")
    ui_auth: str | None = Field(default=None, description="Optional 'user:password' basic auth for the UI.")
    ui_concurrency: int = Field(default=4, ge=1, description="Answers computed at once by the UI queue.")
    ui_typing_delay: float = Field(
        default=0.02, ge=0, le=1,
        description="UI: seconds between words when an answer arrives all at once (offline answerer), "
        "so it visibly streams; 0 shows it at once.",
    )

    @property
    def llm_enabled(self) -> bool:
        """True when an OpenAI key or an OpenAI-compatible base URL is configured."""
        return bool(self.openai_base_url or (self.openai_api_key and self.openai_api_key.get_secret_value()))

    @property
    def collection_name(self) -> str:
        """Collection named after what shapes its vectors, so changing them never mixes old ones in."""
        shape = f"{self.embed_model}|{self.chunk_size}|{self.chunk_overlap}|{PIPELINE_VERSION}"
        return f"{self.collection}-{hashlib.sha256(shape.encode()).hexdigest()[:10]}"


@lru_cache(maxsize=1)
def get_settings() -> RagSettings:
    """Settings from the environment, read once per process."""
    return RagSettings()
