"""Score the citation verifier on the adversarial sets (eval/adversarial*.jsonl): false accepts and false
rejects per kind, on the tuning part of adversarial.jsonl, its held-out part (a fixed split by id hash, kept so
figures compare with earlier branches), or any set whole.

For each item its question is answered over its corpus ("seeds": the repo's seeds/; "lee": 50 ABC
articles extracted from gensim's wheel at run time, rag.eval.corpora) by the whole LLM path: the
scripted OpenAI server (tests/openai_server.py) replies "<sentence> [n]" where n is the retrieved passage
of each cited file (the file's best chunk is added when retrieval missed it), and the pipeline streams,
verifies and composes the answer. A false accept is a sentence kept with a cited source outside
`supported_by`; a false reject is a sentence with a non-empty `supported_by` that is dropped.
`--agreement` also measures how often the rules judge and the llm judge (the configured model, or the
real SmolLM2 served by xllamacpp when none is configured) agree on (evidence, sentence) and writes
eval/judge_agreement.json. Does not change the verifier.

By default only the tuning part of adversarial.jsonl is run and printed, with its two sub-parts (the "inspect"
two-thirds and the "check" third), as earlier branches measured it. Since verify7 every item of the three sets is a
development item (adversarial.jsonl whole, its held-out part included, adversarial2.jsonl and adversarial3.jsonl);
the held-out set is a new blind one kept elsewhere. `--heldout` adds adversarial.jsonl's held-out part and the whole
file, `--blind` scores adversarial2.jsonl whole, `--unseen` adversarial3.jsonl whole, and `--all` every set whole
(one table each and one pooled); `--json` writes the per-item rows of what was scored. `--test` scores the
held-out set of the 2026-12-06 release, adversarial4.jsonl, whole: tables only.

    python -m rag.eval.adversarial [--heldout | --blind | --unseen | --all | --test] [--agreement] [--llm-verify]
                                   [--json FILE]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/openai_server.py and tests/llama_server.py live beside the tests

from rag.eval.corpora import build_corpus  # noqa: E402
from rag.eval.judge import AGREEMENT_FILE, LLMJudge, RulesJudge  # noqa: E402
from rag.settings import RagSettings  # noqa: E402

DATASET = Path(__file__).with_name("adversarial.jsonl")
# 180 more items written blind (given only the articles and the schema) after verify5's rules were set; scored
# whole once after verify5, and a development set since verify6 (its failures may be read: `--blind --json`,
# `bench/fit_verifier.py --diagnose --blind`).
BLIND_DATASET = Path(__file__).with_name("adversarial2.jsonl")
# 180 items written blind on 2026-12-06 while verify6 was built, by a helper given only the articles and the schema:
# scored whole once after verify6 (`--unseen`), a development set since verify7 (its items may be read and fitted on).
UNSEEN_DATASET = Path(__file__).with_name("adversarial3.jsonl")
# 170 items written blind on 2026-12-06 while verify7 was built, by a helper given only the articles and the schema:
# the held-out set of that release. Scored whole (`--test`), tables only, never read item by item, never tuned on.
TEST_DATASET = Path(__file__).with_name("adversarial4.jsonl")
# Every development set by name, as `--all` scores them and bench/fit_verifier.py fits on them.
DEV_SETS = {"adversarial": DATASET, "adversarial2": BLIND_DATASET, "adversarial3": UNSEEN_DATASET}
HELDOUT_SHARE = 0.3  # items whose id hash falls below this are never looked at while tuning the rules
CHECK_SHARE = 1 / 3  # of the tuning part: scored while tuning, never read item by item
_HEAD = re.compile(r"^\[(\d+)\] \(from ([^:\n]+):", re.MULTILINE)


def is_heldout(item_id: str) -> bool:
    """The fixed held-out split: the first 8 hex digits of sha256(id), as a fraction, below HELDOUT_SHARE."""
    return int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < HELDOUT_SHARE


def is_check(item_id: str) -> bool:
    """The tuning part's "check" third (a different hash from is_heldout's, so independent of it): sha256 of
    "check:" + id, as a fraction, below 1/3. Only meaningful for tuning items."""
    return int(hashlib.sha256(f"check:{item_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < CHECK_SHARE


def load_items(path: Path = DATASET) -> list[dict]:
    """The adversarial items, one JSON object a line, their file names turned into article ids
    (`<corpus folder>/<file>`, as ingest names them)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for item in items:
        for key in ("cites", "supported_by"):
            item[key] = [f if "/" in f else f"{item['corpus']}/{f}" for f in item[key]]
    return items


def corpus_dir(name: str, work: Path) -> Path:
    """The folder of articles for corpus `name` ("seeds", or a named corpus of rag.eval.corpora such as "lee")."""
    if name == "seeds":
        return ROOT / "seeds"
    return build_corpus(name)


def _with_cited_chunks(retriever, item_box: dict) -> None:
    """Make the retriever also return the best chunk of each cited file that retrieval missed."""
    original = retriever.retrieve

    def retrieve(query: str, top_k: int | None = None, timings: dict | None = None):
        passages = original(query, top_k, timings)
        item = item_box["item"]
        for source in item["cites"]:
            if source not in {p.source for p in passages}:
                extra = [p for p in original(item["sentence"], 50) if p.source == source]
                passages = passages + extra[:1]
        return passages

    retriever.retrieve = retrieve


def run_items(items: list[dict], llm_verify: bool = False, llm_url: str | None = None) -> list[dict]:
    """Each item with `kept` (bool) and `cited` (sources the final answer cites for its sentence)."""
    from rag.answering import Pipeline
    from rag.ingest.pipeline import ingest
    from tests.openai_server import Reply, ScriptedServer

    server = ScriptedServer().start()
    out: list[dict] = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsrag-adv-") as tmp:
            pipelines: dict[str, tuple[Pipeline, dict]] = {}
            for name in sorted({i["corpus"] for i in items}):
                folder = corpus_dir(name, Path(tmp))
                base = RagSettings(_env_file=None, data_dir=Path(tmp) / name, corpus_dir=folder)
                ingest([folder], base)
                settings = base.model_copy(update=dict(
                    openai_base_url=server.url, llm_model="scripted", llm_verify=llm_verify, llm_max_retries=0,
                    llm_timeout=60.0))
                if llm_url:  # the entailment request goes to a real model, the answer to the script
                    settings = settings.model_copy(update=dict(openai_base_url=server.url))
                pipe, box = Pipeline(settings), {}
                _with_cited_chunks(pipe.retriever, box)
                pipelines[name] = (pipe, box)
            for item in items:
                pipe, box = pipelines[item["corpus"]]
                box["item"] = item

                def reply(body: dict, item: dict = item) -> Reply:
                    user = body["messages"][-1]["content"]
                    numbers = {src.strip(): int(n) for n, src in reversed(_HEAD.findall(user))}
                    marks = "".join(f"[{numbers[s]}]" for s in item["cites"] if s in numbers)
                    return Reply(f"{item['sentence'].rstrip()} {marks}".rstrip())

                server.reset(reply)
                res = pipe.answer(item["question"])
                kept = res.answerer != "extractive" and not res.abstained
                out.append({**item, "kept": kept, "cited": sorted({c.source for c in res.citations}) if kept else [],
                            "support": sorted({c.support for c in res.citations}) if kept else []})
    finally:
        server.stop()
    return out


def score(rows: list[dict]) -> dict[str, dict[str, float]]:
    """FA and FR rates per kind and overall: {kind: {n, fa, fr, n_fr}}. A kind's FA is over its items; the overall
    FA is over the unsupported items only (before 2026-12-06 it was over every item, supported ones included,
    which made it look about a third lower than the rate at which wrong sentences are kept)."""
    table: dict[str, dict[str, float]] = {}
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["kind"]].append(r)
        groups["ALL"].append(r)
    for kind, rs in sorted(groups.items()):
        pool = [r for r in rs if r["label"] == "unsupported"] if kind == "ALL" else rs
        fa = [r for r in pool if r["kept"] and any(s not in r["supported_by"] for s in r["cited"])]
        can_fr = [r for r in rs if r["supported_by"]]
        fr = [r for r in can_fr if not r["kept"]]
        table[kind] = {"n": len(rs), "fa": len(fa) / len(pool) if pool else 0.0, "n_fr": len(can_fr),
                       "fr": len(fr) / len(can_fr) if can_fr else 0.0}
    return table


def format_table(title: str, table: dict[str, dict[str, float]]) -> str:
    """A plain-text table of the rates."""
    lines = [title, f"{'kind':<16}{'n':>5}{'FA':>8}{'n(FR)':>7}{'FR':>8}"]
    for kind, t in table.items():
        lines.append(f"{kind:<16}{t['n']:>5}{t['fa']:>8.3f}{t['n_fr']:>7}{t['fr']:>8.3f}")
    return "\n".join(lines)


@contextlib.contextmanager
def _judge_model(settings: RagSettings):
    """The llm judge's model: the configured one, else the real SmolLM2 (xllamacpp) started here."""
    if settings.llm_enabled:
        yield settings, settings.llm_model
        return
    from tests.llama_server import MODEL_ALIAS, llama_server

    with llama_server() as url:
        yield settings.model_copy(update=dict(openai_base_url=url, llm_model=MODEL_ALIAS, llm_max_tokens=16,
                                              llm_timeout=120.0)), f"{MODEL_ALIAS} (real, via xllamacpp)"


def agreement(items: list[dict]) -> dict:
    """How often the rules and llm judges agree on (evidence, sentence); Cohen's kappa; each judge's accuracy
    against the labels."""
    rules = RulesJudge()
    with _judge_model(RagSettings()) as (settings, name):
        llm = LLMJudge(settings)
        pairs = [(rules.entails(i["evidence"], i["sentence"]), llm.entails(i["evidence"], i["sentence"]))
                 for i in items]
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    pa, pb = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    gold = [i["label"] == "supported" for i in items]
    kappa = (agree - chance) / (1 - chance) if chance < 1 else 1.0
    rules_acc = sum(a == g for (a, _), g in zip(pairs, gold, strict=True)) / n
    llm_acc = sum(b == g for (_, b), g in zip(pairs, gold, strict=True)) / n
    return {"n": n, "agreement": round(agree, 4), "kappa": round(kappa, 4), "llm": name,
            "rules_accuracy": round(rules_acc, 4), "llm_accuracy": round(llm_acc, 4),
            "measured": dt.date.today().isoformat(), "dataset": DATASET.name}


def _score_whole(names: list[str], json_file: Path | None) -> None:
    """Run and print each named development set whole (and, for several, all of them pooled); write the rows."""
    rows: list[dict] = []
    for name in names:
        part = [{**r, "set": name} for r in run_items(load_items(DEV_SETS[name]))]
        print(format_table(f"{DEV_SETS[name].name} ({len(part)} items, a development set)", score(part)))
        print()
        rows += part
    if len(names) > 1:
        print(format_table(f"all development sets ({len(rows)} items)", score(rows)))
    if json_file:
        json_file.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Print FA/FR per kind for the tuning part (and its inspect / check thirds), the whole of adversarial.jsonl
    with --heldout, or another development set whole; with --agreement, measure the judges."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--llm-verify", action="store_true",
                        help="also run the entailment pass (the scripted server then needs a verdict: not used)")
    parser.add_argument("--heldout", action="store_true",
                        help="also run and print the held-out part (a development part since verify7) and the whole")
    parser.add_argument("--blind", action="store_true",
                        help=f"score {BLIND_DATASET.name} whole instead (a development set since verify6)")
    parser.add_argument("--unseen", action="store_true",
                        help=f"score {UNSEEN_DATASET.name} whole instead (a development set since verify7)")
    parser.add_argument("--all", action="store_true", help="score every development set whole, and pooled")
    parser.add_argument("--test", action="store_true",
                        help=f"score the held-out blind set {TEST_DATASET.name} whole (once per release; no --json)")
    parser.add_argument("--agreement", action="store_true", help="measure rules vs llm judge agreement")
    parser.add_argument("--json", type=Path, help="write the per-item results of what was scored here")
    args = parser.parse_args(argv)
    if args.test:  # tables only: its items are never to be read one by one
        rows = run_items(load_items(TEST_DATASET))
        print(format_table(f"{TEST_DATASET.name} ({len(rows)} items, held out: never tuned on)", score(rows)))
        return 0
    if args.all or args.blind or args.unseen:
        names = list(DEV_SETS) if args.all else ["adversarial2"] if args.blind else ["adversarial3"]
        _score_whole(names, args.json)
        return 0
    items = load_items(args.dataset)
    rows = run_items(items if args.heldout else [i for i in items if not is_heldout(i["id"])])
    tune = [r for r in rows if not is_heldout(r["id"])]
    print(format_table(f"tuning part ({len(tune)} items)", score(tune)))
    for name, part in (("inspect", [r for r in tune if not is_check(r["id"])]),
                       ("check", [r for r in tune if is_check(r["id"])])):
        print()
        print(format_table(f"tuning part, {name} ({len(part)} items)", score(part)))
    if args.heldout:
        held = [r for r in rows if is_heldout(r["id"])]
        print()
        print(format_table(f"held-out part ({len(held)} items)", score(held)))
        print()
        print(format_table(f"all ({len(rows)} items)", score(rows)))
    if args.json:
        args.json.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    if args.agreement:
        result = agreement(items)
        AGREEMENT_FILE.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"\njudge agreement: {json.dumps(result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
