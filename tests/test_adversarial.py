"""The adversarial scorer (rag.eval.adversarial) runs the whole scripted LLM path; the issue's own example
sentences from eval/adversarial.jsonl are all dropped there, and the held-out split is fixed."""

from __future__ import annotations

import json

import pytest

from rag.eval.adversarial import is_heldout, load_items, run_items, score

pytestmark = pytest.mark.server

ISSUE_EXAMPLES = {
    "Zelenskyy said Ukraine would recognize Russia's control of Crimea.",
    "Lavrov called the meeting between Putin and Witkoff productive.",
    "Petrov was arrested in Abu Dhabi.",
    "Karelina was sentenced to 12 months in a Russian prison.",
    "Peskov announced that a Putin–Trump meeting would be arranged.",
    "Every prominent Ukrainian politician has ruled out giving up territory.",
    "Witkoff flew to St. Petersburg directly from Washington.",
}


def test_adversarial_set__has_at_least_150_labelled_sentences_of_every_kind() -> None:
    items = load_items()
    assert len(items) >= 150
    assert {i["label"] for i in items} == {"supported", "unsupported"}
    assert {"negation", "entity_swap", "role_swap", "number_unit", "modality", "quantifier", "addition",
            "wrong_citation", "paraphrase", "merged_facts"} <= {i["kind"] for i in items}


def test_heldout_split__is_fixed_by_id_hash() -> None:
    ids = [i["id"] for i in load_items()]
    held = [i for i in ids if is_heldout(i)]
    assert 0.2 < len(held) / len(ids) < 0.4
    assert held == [i for i in ids if is_heldout(i)]


def test_run_items__drops_every_example_of_issue_12_through_the_llm_path() -> None:
    items = [i for i in load_items() if i["sentence"] in ISSUE_EXAMPLES and i["corpus"] == "seeds"]
    assert len(items) >= 6
    rows = run_items(items)
    assert [r["sentence"] for r in rows if r["kept"]] == []
    assert score(rows)["ALL"]["fa"] == 0.0


def test_scorer__runs_and_prints_the_heldout_part_only_when_asked(monkeypatch, capsys) -> None:
    from rag.eval import adversarial

    seen: list[str] = []

    def fake_run(items: list[dict], **_: object) -> list[dict]:
        seen.extend(i["id"] for i in items)
        return [{**i, "kept": False, "cited": []} for i in items]

    monkeypatch.setattr(adversarial, "run_items", fake_run)
    adversarial.main([])
    out = capsys.readouterr().out
    assert seen and not any(is_heldout(i) for i in seen)  # held-out items are not even run
    assert "held-out" not in out and "inspect" in out and "check" in out
    seen.clear()
    adversarial.main(["--heldout"])
    assert any(is_heldout(i) for i in seen) and "held-out part" in capsys.readouterr().out


def test_check_third__is_a_third_of_the_tuning_part_split_independently_of_the_heldout_part() -> None:
    from rag.eval.adversarial import is_check

    tune = [i["id"] for i in load_items() if not is_heldout(i["id"])]
    check = [i for i in tune if is_check(i)]
    assert 0.25 < len(check) / len(tune) < 0.42


def _labelled_blind_set(path, n: int = 180) -> list[dict]:
    """The items of a blind set, after checking it covers both corpora and labels each kind consistently."""
    items = load_items(path)
    assert len(items) == n and {i["corpus"] for i in items} == {"seeds", "lee"}
    supported = {"faithful", "paraphrase", "merged_facts"}
    assert all((i["label"] == "supported") == (i["kind"] in supported) for i in items)
    assert all(bool(i["supported_by"]) == (i["kind"] in supported | {"wrong_citation"}) for i in items)
    return items


def _record_runs(monkeypatch) -> list[str]:
    """The ids the scorer runs, with the LLM path replaced by one that keeps nothing."""
    from rag.eval import adversarial

    seen: list[str] = []
    monkeypatch.setattr(adversarial, "run_items",
                        lambda rows, **_: seen.extend(i["id"] for i in rows) or [{**i, "kept": False, "cited": []}
                                                                                for i in rows])
    return seen


@pytest.mark.parametrize(("flag", "dataset", "name"), [("--blind", "BLIND_DATASET", "adversarial2.jsonl"),
                                                      ("--unseen", "UNSEEN_DATASET", "adversarial3.jsonl")])
def test_blind_development_sets__every_kind_labelled_scored_whole_and_their_rows_written_with_json(
        monkeypatch, capsys, tmp_path, flag: str, dataset: str, name: str) -> None:
    from rag.eval import adversarial

    items = _labelled_blind_set(getattr(adversarial, dataset))
    seen = _record_runs(monkeypatch)
    out = tmp_path / "rows.jsonl"
    adversarial.main([flag, "--json", str(out)])
    assert sorted(seen) == sorted(i["id"] for i in items)  # whole: no split, nothing of another set
    assert f"{name} (180 items, a development set)" in capsys.readouterr().out
    assert len(out.read_text(encoding="utf-8").splitlines()) == 180


def test_all__scores_every_development_set_whole_and_pooled(monkeypatch, capsys, tmp_path) -> None:
    from rag.eval import adversarial

    seen = _record_runs(monkeypatch)
    out = tmp_path / "rows.jsonl"
    adversarial.main(["--all", "--json", str(out)])
    total = sum(len(load_items(path)) for path in adversarial.DEV_SETS.values())
    assert len(seen) == total == len(set(seen)) == 604
    assert f"all development sets ({total} items)" in capsys.readouterr().out
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["set"] for r in rows} == set(adversarial.DEV_SETS)


def test_adversarial4__the_held_out_set_is_scored_whole_with_test_and_never_written_out(monkeypatch, capsys) -> None:
    from rag.eval import adversarial

    items = _labelled_blind_set(adversarial.TEST_DATASET, n=170)
    seen = _record_runs(monkeypatch)
    adversarial.main(["--test"])
    assert sorted(seen) == sorted(i["id"] for i in items)
    assert "adversarial4.jsonl (170 items, held out: never tuned on)" in capsys.readouterr().out
    assert not set(seen) & {i["id"] for path in adversarial.DEV_SETS.values() for i in load_items(path)}


def test_score__overall_false_accepts_are_counted_over_the_unsupported_items_only() -> None:
    def row(kind: str, label: str, kept: bool) -> dict:
        supported_by = ["a.txt"] if label == "supported" else []
        return {"kind": kind, "label": label, "kept": kept, "cited": ["a.txt"] if kept else [],
                "supported_by": supported_by}

    rows = [row("negation", "unsupported", True), row("negation", "unsupported", False),
            row("faithful", "supported", True), row("faithful", "supported", True)]
    table = score(rows)
    assert table["ALL"]["fa"] == 0.5 and table["negation"]["fa"] == 0.5  # not 1/4: supported items can't be FA
    assert table["ALL"]["fr"] == 0.0 and table["faithful"]["n_fr"] == 2
