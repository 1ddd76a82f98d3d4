"""The packaged question set is well-formed and labelled against the seeds; the loader names the bad line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rag.eval.corpora import build_corpus, resolve_corpus
from rag.eval.dataset import (
    DEFAULT_DATASET,
    HELDOUT2_DATASET,
    HELDOUT3_DATASET,
    HELDOUT_DATASET,
    LEEBG_TEST2_DATASET,
    LEEBG_TEST3_DATASET,
    LEEBG_TEST4_DATASET,
    LEEBG_TEST5_DATASET,
    LEEBG_TEST_DATASET,
    SEEDS_DEV2_DATASET,
    SEEDS_TEST4_DATASET,
    SEEDS_TEST5_DATASET,
    SEEDS_TEST6_DATASET,
    SEEDS_TEST7_DATASET,
    SEEDS_TEST8_DATASET,
    SEEDS_TEST9_DATASET,
    Category,
    DatasetError,
    load_questions,
)
from rag.eval.metrics import fact_present
from tests.conftest import SEEDS, seed_text

GOOD = {"id": "a", "category": "single", "question": "Where?", "reference_answer": "There.",
        "key_facts": ["There"], "gold_sources": ["003_eaebfa045854f265.txt"]}


def test_dataset__covers_every_category_with_enough_questions() -> None:
    questions = load_questions(DEFAULT_DATASET, SEEDS)
    counts = Counter(q.category for q in questions)
    assert len(questions) >= 40
    assert counts[Category.UNANSWERABLE] >= 6
    assert set(counts) == set(Category)


def test_heldout_dataset__covers_every_category_and_shares_no_question() -> None:
    heldout = load_questions(HELDOUT_DATASET, SEEDS)
    assert {q.category for q in heldout} == set(Category) and len(heldout) >= 20
    tuning = {q.question.lower() for q in load_questions(DEFAULT_DATASET, SEEDS)}
    assert not tuning & {q.question.lower() for q in heldout}
    assert all(q.id.startswith("ho-") for q in heldout)


@pytest.mark.parametrize("dataset", [DEFAULT_DATASET, HELDOUT_DATASET, HELDOUT2_DATASET, HELDOUT3_DATASET,
                                     SEEDS_DEV2_DATASET, SEEDS_TEST4_DATASET, SEEDS_TEST5_DATASET, SEEDS_TEST6_DATASET,
                                     SEEDS_TEST7_DATASET, SEEDS_TEST8_DATASET, SEEDS_TEST9_DATASET],
                         ids=["tuning", "heldout", "heldout2", "heldout3", "seeds_dev2", "seeds_test4", "seeds_test5",
                              "seeds_test6", "seeds_test7", "seeds_test8", "seeds_test9"])
def test_dataset__every_key_fact_is_stated_in_one_of_its_gold_sources(dataset: Path) -> None:
    for q in load_questions(dataset, SEEDS):
        for alternatives in q.key_facts:
            assert any(fact_present(seed_text(s), alternatives) for s in q.gold_sources), (q.id, alternatives)


LEE_SETS = sorted(Path(DEFAULT_DATASET).parent.glob("questions_lee_*.jsonl"))


@pytest.mark.parametrize("dataset", LEE_SETS, ids=[p.stem for p in LEE_SETS])
def test_lee_dataset__every_key_fact_is_stated_in_one_of_its_gold_sources(dataset: Path) -> None:
    lee = build_corpus("lee")  # extracted from gensim's PyPI wheel, as `rag eval --corpus lee` does
    questions = load_questions(dataset, lee)
    assert len(questions) >= 40
    for q in questions:
        for alternatives in q.key_facts:
            assert any(fact_present((lee / s).read_text(encoding="utf-8"), alternatives) for s in q.gold_sources), (
                q.id, alternatives)


@pytest.mark.parametrize("dataset", [LEEBG_TEST_DATASET, LEEBG_TEST2_DATASET, LEEBG_TEST3_DATASET,
                                     LEEBG_TEST4_DATASET, LEEBG_TEST5_DATASET],
                         ids=["leebg_test", "leebg_test2", "leebg_test3", "leebg_test4", "leebg_test5"])
def test_leebg_dataset__every_key_fact_is_stated_in_one_of_its_gold_sources(dataset: Path) -> None:
    leebg = resolve_corpus("leebg")
    questions = load_questions(dataset, leebg)
    assert len(questions) >= 60 and sum(q.category == Category.UNANSWERABLE for q in questions) >= 10
    for q in questions:
        for alternatives in q.key_facts:
            assert any(fact_present((leebg / s).read_text(encoding="utf-8"), alternatives) for s in q.gold_sources), (
                q.id, alternatives)


def test_leebg_test2__asks_about_articles_no_earlier_question_used() -> None:
    leebg = resolve_corpus("leebg")
    first = load_questions(LEEBG_TEST_DATASET, leebg)
    earlier = {s for q in first for s in q.gold_sources}
    later = load_questions(LEEBG_TEST2_DATASET, leebg)
    # (two blind writers asked the same unanswerable Mitsubishi question; no answerable one repeats)
    assert not {q.question.lower() for q in later if q.answerable} & {q.question.lower() for q in first}
    # each answer is in an article no earlier question drew on (a fact may be stated in an earlier one too)
    assert all(set(q.gold_sources) - earlier for q in later if q.answerable)


@pytest.mark.parametrize("index", [2, 3, 4], ids=["leebg_test3", "leebg_test4", "leebg_test5"])
def test_leebg_later_sets__ask_about_articles_no_earlier_question_used(index: int) -> None:
    leebg = resolve_corpus("leebg")
    sets = (LEEBG_TEST_DATASET, LEEBG_TEST2_DATASET, LEEBG_TEST3_DATASET, LEEBG_TEST4_DATASET, LEEBG_TEST5_DATASET)
    earlier_sets = [load_questions(d, leebg) for d in sets[:index]]
    earlier = {s for qs in earlier_sets for q in qs for s in q.gold_sources}
    asked = {q.question.lower() for qs in earlier_sets for q in qs}
    later = load_questions(sets[index], leebg)
    assert not {q.question.lower() for q in later if q.answerable} & asked
    assert all(set(q.gold_sources) - earlier for q in later if q.answerable)


def test_named_corpora__leebg_is_300_other_articles_and_a_folder_passes_through(tmp_path: Path) -> None:
    leebg = resolve_corpus("leebg")
    files = sorted(leebg.glob("leebg_*.txt"))
    assert len(files) == 300 and files[0].name == "leebg_000.txt" and files[-1].name == "leebg_299.txt"
    lee_texts = {p.read_text(encoding="utf-8") for p in build_corpus("lee").glob("lee_*.txt")}
    assert len(lee_texts) == 50 and not lee_texts & {p.read_text(encoding="utf-8") for p in files}
    assert not list(leebg.glob(".*"))  # no half-written file is left behind
    assert resolve_corpus(tmp_path) == tmp_path and resolve_corpus(str(tmp_path)) == tmp_path


def test_dataset__kyiv_toll_conflict_cites_both_reports() -> None:
    q = next(q for q in load_questions() if q.id == "conflict-01")
    assert q.gold_sources == ["002_181e4f12115521e5.txt", "004_65f930d9f114bd18.txt"]
    assert q.key_facts == [["10"], ["12"]]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "question: Field required"),
        (json.dumps({**GOOD, "category": "trivia"}), "category: Input should be"),
        (json.dumps({**GOOD, "category": "unanswerable"}), "must have empty key_facts and gold_sources"),
        (json.dumps({**GOOD, "gold_sources": []}), "needs at least one key fact and one gold source"),
        (json.dumps({**GOOD, "gold_sources": ["../etc/passwd"]}), "is not a .txt/.md file name"),
        (json.dumps({**GOOD, "id": "b", "gold_sources": ["missing.txt"]}), "gold source missing.txt is not in"),
        (json.dumps(GOOD), "id 'a' already used on line 1"),
    ],
)
def test_load_questions__malformed_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_questions(path, SEEDS)
    assert str(info.value).startswith(f"{path}:3: ")
    assert message in str(info.value)


def test_load_questions__missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="Pass --dataset PATH"):
        load_questions(tmp_path / "nope.jsonl")
