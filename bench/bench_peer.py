"""newsrag against plain LlamaIndex on the same synthetic corpus, with the same embedder object.

Systems, each in its own temporary folder and Chroma store:
  newsrag           `rag.ingest.pipeline.ingest` (clean, chunk at RAG_CHUNK_SIZE/OVERLAP, embed, write) and the
                    hybrid retriever (dense + BM25) of `rag.answering.Pipeline`; answers with the offline answerer
  llamaindex-default `SimpleDirectoryReader` -> `VectorStoreIndex.from_documents` over a fresh Chroma collection
                    with LlamaIndex's default chunking (SentenceSplitter 1024/200) -> `as_retriever`
  llamaindex-ours   the same with `SentenceSplitter(chunk_size=RAG_CHUNK_SIZE, chunk_overlap=RAG_CHUNK_OVERLAP)`

All three get the one `OnnxMiniLMEmbedding` object newsrag builds (same batch size, same model session;
LlamaIndex through `llama_index_embedding`, a `BaseEmbedding` delegating to it).
Load noise on a shared machine is cancelled by alternation: the corpus is ingested in `--slices` slices,
each slice by every system in turn (rotating who goes first), and every query is asked of every system in
turn. Reported: ingest articles/s and chunks/s, retrieval p50/p95 at top-5, hit@1/hit@5 of the planted
facts (the planted sentence inside a retrieved chunk of the right file), newsrag's answer p50 (questions about
passages new to the process, then `rag prepare`'s time and the answer p50 of other questions after it), process
RSS growth while each system ingested (MB; one process, so the embedder is in none of them and freed
memory may be reused by the next system), disk, and ratios newsrag / LlamaIndex.

Run:  PYTHONPATH=. .venv/bin/python bench/bench_peer.py [--articles 1000] [--queries 100] [--answers 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import du, pct  # noqa: E402
from bench.synth import write_corpus  # noqa: E402


def rss_mb() -> float:
    """Current resident set size of this process, MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def file_name(source: str) -> str:
    """The file name of a newsrag article id (`<collection>/<path>`)."""
    return source.rpartition("/")[2]


class NewsRag:
    name = "newsrag"

    def __init__(self, folder: Path, settings) -> None:
        from rag.answering import Pipeline

        self.data = folder
        self.settings = settings
        self.pipe_cls = Pipeline
        self.pipe = None
        self.chunks = 0

    def ingest(self, files: list[Path]) -> None:
        from rag.ingest.pipeline import ingest

        self.chunks += ingest(files, self.settings).chunks_written

    def ready(self) -> None:
        self.pipe = self.pipe_cls(self.settings)
        self.retriever = self.pipe.retriever

    def retrieve(self, question: str) -> list[tuple[str, str]]:
        # Article ids are `<collection>/<file name>`; the planted facts name the file, as LlamaIndex does.
        return [(file_name(p.source), p.text) for p in self.retriever.retrieve(question, top_k=5)]

    def answer(self, question: str):
        return self.pipe.answer(question)


class PlainLlamaIndex:
    def __init__(self, name: str, folder: Path, embedder, splitter) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import StorageContext
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.name, self.data, self.embedder, self.splitter = name, folder, embedder, splitter
        client = chromadb.PersistentClient(path=str(folder / "chroma"),
                                           settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
        self.collection = client.get_or_create_collection("peer", metadata={"hnsw:space": "cosine"})
        self.store = ChromaVectorStore(chroma_collection=self.collection)
        self.storage = StorageContext.from_defaults(vector_store=self.store)

    def ingest(self, files: list[Path]) -> None:
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

        docs = SimpleDirectoryReader(input_files=[str(f) for f in files]).load_data()
        kwargs = {"transformations": [self.splitter]} if self.splitter is not None else {}
        VectorStoreIndex.from_documents(docs, storage_context=self.storage, embed_model=self.embedder, **kwargs)

    @property
    def chunks(self) -> int:
        return self.collection.count()

    def ready(self) -> None:
        from llama_index.core import VectorStoreIndex

        index = VectorStoreIndex.from_vector_store(self.store, embed_model=self.embedder)
        self.retriever = index.as_retriever(similarity_top_k=5)

    def retrieve(self, question: str) -> list[tuple[str, str]]:
        return [(str(n.node.metadata.get("file_name", "")), n.node.get_content()) for n in
                self.retriever.retrieve(question)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100, help="planted-fact questions asked of every system")
    parser.add_argument("--answers", type=int, default=20, help="questions newsrag answers (offline answerer)")
    parser.add_argument("--slices", type=int, default=4, help="ingest rounds (systems alternate per slice)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import random

    from llama_index.core.node_parser import SentenceSplitter

    from rag.index.embeddings import build_embed_model, llama_index_embedding
    from rag.settings import RagSettings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        planted = write_corpus(corpus, args.articles, args.seed)
        files = sorted(corpus.iterdir())
        settings = RagSettings(_env_file=None, data_dir=root / "newsrag", corpus_dir=corpus)
        from rag import nlp
        from rag.disk_cache import DiskCache

        # This run's own stored parses: the shared file in RAG_MODEL_DIR holds those of earlier runs of this
        # (deterministic) corpus, and answers would read them back instead of parsing.
        parse_cache = DiskCache(root / "parses.sqlite3", settings.parse_cache_entries)
        nlp._disk = lambda: parse_cache
        embedder = build_embed_model(settings)  # the one object every system embeds with
        # Time spent inside the shared embedder, per system: what is left of ingest is each system's own work.
        current = {"name": ""}
        embed_s: dict[str, float] = {}
        cls, plain_embed = type(embedder), type(embedder).embed

        def timed_embed(self, texts):
            t = time.perf_counter()
            try:
                return plain_embed(self, texts)
            finally:
                embed_s[current["name"]] = embed_s.get(current["name"], 0.0) + time.perf_counter() - t

        cls.embed = timed_embed
        embedder.embed(["warm up"])  # model load and first run are nobody's ingest time
        shared = llama_index_embedding(embedder)  # LlamaIndex's view of the same model session
        for d in ("li-default", "li-ours"):
            (root / d).mkdir()
        systems = [
            NewsRag(root / "newsrag", settings),
            PlainLlamaIndex("llamaindex-default", root / "li-default", shared, None),
            PlainLlamaIndex("llamaindex-ours", root / "li-ours", shared,
                            SentenceSplitter(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)),
        ]
        stats = {s.name: {"ingest_s": 0.0, "rss_mb": 0.0, "lat": [], "hit1": 0, "hit5": 0} for s in systems}

        per = -(-len(files) // args.slices)
        slices = [files[i : i + per] for i in range(0, len(files), per)]
        done: list[Path] = []
        for k, part in enumerate(slices):
            done += part
            for s in systems[k % len(systems):] + systems[: k % len(systems)]:
                before = rss_mb()
                current["name"] = s.name
                t = time.perf_counter()
                # newsrag is given every file so far (its incremental ingest skips unchanged ones, as a user's
                # rerun would); LlamaIndex has no change detection, so it gets only the new slice.
                s.ingest(done if isinstance(s, NewsRag) else part)
                stats[s.name]["ingest_s"] += time.perf_counter() - t
                stats[s.name]["rss_mb"] += max(0.0, rss_mb() - before)
            print(f"slice {k + 1}/{len(slices)} ingested by all", file=sys.stderr, flush=True)
        current["name"] = "queries"
        for s in systems:
            stats[s.name]["embed_s"] = embed_s.get(s.name, 0.0)

        for s in systems:
            s.ready()
            s.retrieve("warm up question about the council")
        rng = random.Random(args.seed)
        sample = rng.sample(planted, min(args.queries, len(planted)))
        for q_i, fact in enumerate(sample):
            order = systems[q_i % len(systems):] + systems[: q_i % len(systems)]
            for s in order:
                t = time.perf_counter()
                got = s.retrieve(fact.question)
                stats[s.name]["lat"].append(time.perf_counter() - t)
                hits = [src == fact.source and fact.sentence in text for src, text in got]
                stats[s.name]["hit1"] += bool(hits[:1] and hits[0])
                stats[s.name]["hit5"] += any(hits[:5])

        ours = systems[0]
        ours.answer("warm up question about the council")

        def answered(facts) -> tuple[list[float], int]:
            lat, cited = [], 0
            for fact in facts:
                t = time.perf_counter()
                res = ours.answer(fact.question)
                lat.append(time.perf_counter() - t)
                cited += any(file_name(c.source) == fact.source and c.quote in fact.sentence for c in res.citations)
            return lat, cited

        answers, cites = answered(sample[: args.answers])
        from rag.prepare import prepare

        prepared_report = prepare(ours.pipe)
        # After a restart: a new pipeline, nothing parsed in memory, models loaded (`warm()`, as `rag ui` does).
        nlp._cache = nlp._ParseCache(nlp._CACHE_SIZE)
        ours.ready()
        ours.pipe.warm()
        first_after, _ = answered(sample[2 * args.answers : 2 * args.answers + 1])
        after, cites_after = answered(sample[args.answers : 2 * args.answers])  # questions not asked before
        for s in systems:
            st = stats[s.name]
            st["chunks"] = s.chunks
            # The index alone: newsrag's sentence-vector cache (data/cache, filled by answers and `rag prepare`)
            # is reported on its own line.
            st["cache_mb"] = du(s.data / "cache") / 1e6 if (s.data / "cache").exists() else 0.0
            st["disk_mb"] = du(s.data) / 1e6 - st["cache_mb"]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n = args.articles
    rows = [
        ("chunks", lambda st: f"{st['chunks']}"),
        ("ingest articles/s", lambda st: f"{n / st['ingest_s']:.1f}"),
        ("ingest chunks/s", lambda st: f"{st['chunks'] / st['ingest_s']:.1f}"),
        ("embedding share of ingest", lambda st: f"{st['embed_s'] / st['ingest_s']:.0%}"),
        ("ingest time outside the embedder (s)", lambda st: f"{st['ingest_s'] - st['embed_s']:.1f}"),
        ("retrieval p50 (ms)", lambda st: f"{statistics.median(st['lat']) * 1000:.1f}"),
        ("retrieval p95 (ms)", lambda st: f"{pct(st['lat'], 95) * 1000:.1f}"),
        ("hit@1 planted facts", lambda st: f"{st['hit1'] / len(sample):.2f}"),
        ("hit@5 planted facts", lambda st: f"{st['hit5'] / len(sample):.2f}"),
        ("RSS growth while ingesting (MB)", lambda st: f"{st['rss_mb']:.0f}"),
        ("disk (MB)", lambda st: f"{st['disk_mb']:.1f}"),
        ("disk per chunk (KB)", lambda st: f"{st['disk_mb'] * 1000 / max(st['chunks'], 1):.1f}"),
    ]
    names = [s.name for s in systems]
    print(f"{n} articles, {len(sample)} planted-fact questions, embedder {type(embedder).__name__} "
          f"(threads {embedder.threads}), chunking ours {settings.chunk_size}/{settings.chunk_overlap}, "
          f"{len(slices)} alternating ingest slices; process peak RSS {peak:.0f} MB\n")
    print("| metric | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label, fmt in rows:
        print(f"| {label} | " + " | ".join(fmt(stats[x]) for x in names) + " |")
    print(f"| answer p50 (ms) | {statistics.median(answers) * 1000:.0f} | n/a (no LLM) | n/a (no LLM) |")
    print(f"| answer cites the planted fact | {cites / len(answers):.2f} | | |")
    print(f"| sentence-vector cache on disk at the end (MB) | {stats['newsrag']['cache_mb']:.1f} | | |")
    print(f"| `rag prepare` (s; sentences parsed and embedded) | {prepared_report.seconds:.1f} "
          f"({prepared_report.parsed}{', capped' if prepared_report.capped else ''}) | | |")
    if first_after:
        print(f"| first answer of a new pipeline after `rag prepare` and `warm()` (ms) "
              f"| {first_after[0] * 1000:.0f} | | |")
    if after:
        print(f"| answer p50 (ms) after `rag prepare`, new questions | {statistics.median(after) * 1000:.0f} | | |")
        print(f"| ... answer cites the planted fact | {cites_after / len(after):.2f} | | |")
    o = stats["newsrag"]
    print("\n| ratio newsrag / LlamaIndex | vs default chunking | vs our chunking |")
    print("|---|---:|---:|")
    for label, f in [
        ("ingest articles/s", lambda a, b: (n / a["ingest_s"]) / (n / b["ingest_s"])),
        ("ingest chunks/s", lambda a, b: (a["chunks"] / a["ingest_s"]) / (b["chunks"] / b["ingest_s"])),
        ("retrieval p50", lambda a, b: statistics.median(a["lat"]) / statistics.median(b["lat"])),
        ("hit@5", lambda a, b: a["hit5"] / max(b["hit5"], 1)),
        ("disk", lambda a, b: a["disk_mb"] / b["disk_mb"]),
    ]:
        print(f"| {label} | {f(o, stats['llamaindex-default']):.2f}x | {f(o, stats['llamaindex-ours']):.2f}x |")


if __name__ == "__main__":
    main()
