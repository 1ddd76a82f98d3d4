"""One typed settings object for the whole pipeline, read from env vars and `.env`.

Every knob lives here; modules receive a `RagSettings` instead of reading the environment themselves.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Bump when cleaning, chunking, article ids or the stored layout change what ends up in the index, so old
# vectors are never mixed in. 6: ids are `<collection>/<relative path>` and chunks carry publisher/date/url/
# pages. 7: chunks are written with Chroma's API (no llama-index node JSON) and store sentence offsets only.
# 8: the local embedder computes in int8 (rag/index/quantize.py). 9: its weights have 7 bits, so its vectors no
# longer depend on the CPU's int8 instructions.
# An index of an older version is left untouched and unused; asking then names the `rag ingest` commands
# that rebuild it (rag/index/store.py, `older_index_hint`).
PIPELINE_VERSION = "9"
LOCAL_EMBED_MODEL = "local-minilm-l6-v2-int8"


def _comma_list(value: object) -> object:
    # Env values arrive as strings: accept a JSON list or "a,b,c" (easier to type in a shell).
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]


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
    max_file_bytes: int = Field(
        default=20_000_000, ge=1, description="Files (and fetched URL bodies) larger than this are skipped."
    )

    # Article formats: field names looked up, in order, in each record of a .jsonl/.json/.csv export
    # (case-insensitive; "a.b" reads a nested field). Env: JSON list or comma-separated names.
    record_text_fields: CommaList = Field(
        default=["text", "body", "content", "article", "full_text", "description"],
        description="Export fields holding the article text (first non-empty wins).",
    )
    record_title_fields: CommaList = Field(default=["title", "headline"], description="Export fields: headline.")
    record_date_fields: CommaList = Field(
        default=["date", "published", "published_at", "publishedAt", "pubDate", "datetime"],
        description="Export fields: publication date (normalised to ISO 8601 when it parses).",
    )
    record_url_fields: CommaList = Field(default=["url", "link", "permalink"], description="Export fields: URL.")
    record_publisher_fields: CommaList = Field(
        default=["publisher", "source.name", "source", "site_name", "sitename", "outlet"],
        description="Export fields: publisher or outlet name.",
    )
    record_author_fields: CommaList = Field(
        default=["author", "byline", "authors"], description="Export fields: author."
    )
    record_id_fields: CommaList = Field(
        default=["id", "guid", "uuid", "article_id"],
        description="Export fields: a stable record id used in the source key `<file>#<id>` (else the record number).",
    )

    # URL ingest (rag ingest https://...)
    url_allow_private: bool = Field(
        default=False,
        description="Fetch URLs whose host resolves to loopback, private, link-local or reserved addresses "
                    "(off: such URLs are refused, so ingest cannot be pointed at internal services).",
    )
    url_timeout: float = Field(default=20.0, gt=0, description="Seconds a URL fetch may take in all (each hop).")
    url_max_redirects: int = Field(default=5, ge=0, description="Redirects followed per URL, each re-checked.")

    # Embeddings
    embed_model: str = Field(
        default=LOCAL_EMBED_MODEL,
        description=f"'{LOCAL_EMBED_MODEL}' (offline ONNX MiniLM) or an OpenAI embedding model name.",
    )
    model_dir: Path = Field(
        default=Path("~/.cache/newsrag/models"),
        description="Where the local embedding model is re-quantized to and the answer ranker built, once "
        "(rag/index/quantize.py, rag/generate/ranker.py).",
    )
    embed_batch_size: int = Field(default=32, ge=1, description="OpenAI embeddings: texts per request, at most.")
    embed_threads: int = Field(default=2, ge=1, description="Local model: texts embedded at once, each on one thread.")
    embed_thread_spinning: bool = Field(
        default=False,
        description="Local model: let ONNX Runtime's idle threads spin; costs CPU other work needs (off: "
        "1.6x texts/s on a shared 2-core machine).",
    )
    ingest_batch_chunks: int = Field(
        default=512, ge=1,
        description="Ingest embeds and writes this many chunks (from several articles) per store round trip.",
    )
    ingest_step_chunks: int = Field(
        default=128, ge=1,
        description="Chunks embedded, then stored, per step: progress moves at least this often, and storing "
        "one step overlaps embedding the next.",
    )
    embed_cache_entries: int = Field(
        default=50_000, ge=0, description="Sentence embeddings the answerer keeps in memory (about 1.5 KB each)."
    )
    parse_cache_entries: int = Field(
        default=20_000, ge=0,
        description="spaCy parses of sentences kept on disk (RAG_MODEL_DIR) for later processes (about 3 KB each; "
        "0 turns the file off).",
    )
    vector_cache_entries: int = Field(
        default=50_000, ge=0,
        description="Sentence embeddings kept on disk (RAG_DATA_DIR/cache) for later processes (about "
        "1.6 KB each; 0 turns the file off).",
    )
    prepare_on_start: bool = Field(
        default=True,
        description="`rag ui` parses and embeds every indexed sentence in the background after it starts (what "
        "`rag prepare` does), so first answers about any article are fast.",
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
    abstain_threshold: float | None = Field(
        default=None, description="Rules reader: best sentence score below this means 'not in the articles' "
        "(default: the fitted value in rag/generate/rules_weights.json)."
    )
    reader: Literal["rules", "learned"] = Field(
        default="rules",
        description="Offline answerer: 'rules' (rag/generate/extractive.py) or 'learned' (rag/generate/reader.py: "
        "spaCy answer types, fitted weights and thresholds, short answers; experimental until it beats 'rules' "
        "on the eval sets).",
    )
    max_answer_sentences: int = Field(default=3, ge=1, description="Extractive answerer: sentences per answer.")
    ranker: bool = Field(
        default=False,
        description="Offline readers: also score candidate sentences with the answer ranker, a fine-tuned MiniLM "
        "cross-encoder (rag/generate/ranker.py), and use the reader weights fitted with it. Opt-in: about 250 ms more "
        "per question on two cores; on held-out sets it refused more unanswerable questions but answered about as "
        "many (eval/README.md).",
    )

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

    ui_readonly: bool = Field(
        default=False,
        description="Shared deployments: the UI lists articles but cannot upload, fetch URLs or delete.",
    )
    ui_max_request_bytes: int = Field(
        default=20_000_000, ge=1,
        description="UI uploads: total bytes accepted per upload request (each file is also held to "
                    "RAG_MAX_FILE_BYTES).",
    )

    @property
    def uploads_dir(self) -> Path:
        """Where the UI stores uploaded files (collection 'uploads'): inside the data dir, never the corpus."""
        return self.data_dir / "uploads"

    @property
    def llm_enabled(self) -> bool:
        """True when an OpenAI key or an OpenAI-compatible base URL is configured."""
        return bool(self.openai_base_url or (self.openai_api_key and self.openai_api_key.get_secret_value()))

    @property
    def collection_name(self) -> str:
        """Collection named after what shapes its vectors, so changing them never mixes old ones in."""
        return self.collection_name_for(PIPELINE_VERSION)

    def collection_name_for(self, pipeline_version: str) -> str:
        """The collection name these settings had, or have, under `pipeline_version` (finds older indexes)."""
        shape = f"{self.embed_model}|{self.chunk_size}|{self.chunk_overlap}|{pipeline_version}"
        return f"{self.collection}-{hashlib.sha256(shape.encode()).hexdigest()[:10]}"


@lru_cache(maxsize=1)
def get_settings() -> RagSettings:
    """Settings from the environment, read once per process."""
    return RagSettings()
