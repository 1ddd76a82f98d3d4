import json
import re
import subprocess
import sys

import pytest

from rag import Answer, IndexNotReadyError, InvalidQuestionError, answer
from rag.answering import Pipeline
from rag.generate.prompts import ABSTAIN_TEXT, CONFLICT_PREFIX
from rag.settings import RagSettings
from tests.conftest import make_settings, seed_id, seed_text

MARKER = re.compile(r"\[(\d+)\]")


def assert_citations_valid(res: Answer) -> None:
    """The product's invariants: quotes verbatim at offsets; markers and citations match 1..n."""
    for c in res.citations:
        assert seed_text(c.source)[c.start:c.end] == c.quote
    used = [int(n) for n in MARKER.findall(res.text)]
    assert sorted(set(used)) == [c.n for c in res.citations] == list(range(1, len(res.citations) + 1))
    first_use = list(dict.fromkeys(used))
    assert first_use == sorted(first_use)


def test_answer__witkoff_meeting_place_is_cited_verbatim(seeded_settings) -> None:
    res = answer("Where did Witkoff meet Putin?", settings=seeded_settings)
    assert not res.abstained
    assert "St. Petersburg" in res.text
    assert_citations_valid(res)
    assert any("St. Petersburg" in c.quote and "Putin" in c.quote for c in res.citations)
    for sentence in re.split(r"(?<=\])\s+", res.text):
        assert MARKER.search(sentence), f"uncited sentence: {sentence}"


def test_answer__the_detail_told_after_the_lead_is_the_answer(seeded_settings) -> None:
    # "Who" reads as the object of the stranded "for": the one exchanged for her, not a subject elsewhere
    res = answer("Who was Karelina exchanged for?", settings=seeded_settings)
    assert not res.abstained
    assert res.short_answer is not None and res.short_answer.text == "Arthur Petrov"
    assert_citations_valid(res)
    assert all("Arthur Petrov" in c.quote for c in res.citations)
    # Asked again in a conversation it still stands alone: the earlier answer's names are not carried as known
    # (which no answer may be), so the answer is not refused or replaced by another "exchange" (an Oval Office one).
    first = answer("Who was Karelina swapped with?", settings=seeded_settings)
    again = answer("Who was Karelina exchanged for?", history=[("Who was Karelina swapped with?", first.text)],
                   settings=seeded_settings)
    assert again.short_answer is not None and again.short_answer.text == "Arthur Petrov"
    # A true follow-up ("she") carries the earlier answer's names; they are the answer unless it asks "who else"
    she = answer("Who was she exchanged for?", history=[("Who was Karelina swapped with?", first.text)],
                 settings=seeded_settings)
    assert she.short_answer is not None and she.short_answer.text == "Arthur Petrov"


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "Who won the 2024 Super Bowl?",
     "What did the European Union decide about tariffs on Chinese cars?",
     # about people and places the articles do cover, asking what they never say
     "How old is Steve Witkoff?", "What is the population of St. Petersburg?",
     "What was the weather like in St. Petersburg during Witkoff's visit?",
     # an institution the articles never name, though they share a word with it or name the topic
     "What did the European Commission say about Crimea?", "What did the UN Security Council decide about Crimea?"],
)
def test_answer__abstains_when_articles_do_not_cover_it(seeded_settings, question: str) -> None:
    res = answer(question, settings=seeded_settings)
    assert res.abstained and res.citations == [] and res.text == ABSTAIN_TEXT


def test_answer__conflicting_death_tolls_are_flagged_and_both_cited(seeded_settings) -> None:
    res = answer("How many people were killed in the attack on Kyiv?", settings=seeded_settings)
    assert_citations_valid(res)
    assert res.conflict and res.text.startswith(CONFLICT_PREFIX)
    both = {seed_id("002_181e4f12115521e5.txt"), seed_id("004_65f930d9f114bd18.txt")}
    assert both <= {c.source for c in res.citations}


def test_answer__follow_up_uses_history(seeded_settings) -> None:
    first = answer("Where did Witkoff meet Putin?", settings=seeded_settings)
    res = answer("How long did it last?", history=[("Where did Witkoff meet Putin?", first.text)],
                 settings=seeded_settings)
    # The follow-up is resolved from the parse (names carried after " — "), not pasted after the last question.
    assert res.standalone_question == "How long did it last? — Witkoff, Putin, St. Petersburg"
    assert "four and a half hours" in res.text
    assert_citations_valid(res)


def test_answer__to_dict_is_json_with_documented_fields(seeded_settings) -> None:
    data = json.loads(json.dumps(answer("Who is Kirill Dmitriev?", settings=seeded_settings).to_dict()))
    assert {"text", "abstained", "citations", "newer_source"} <= data.keys()
    assert set(data["citations"][0]) == {"n", "source", "title", "quote", "start", "end", "publisher", "date", "url",
                                         "page", "support", "checks"}


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Please type a question."),
        ("   \n\t ", "Please type a question."),
        ("\x00\x07", "Please type a question."),
        ("x" * 2001, "The question is too long (2,001 characters; the limit is 2,000). Please shorten it."),
    ],
)
def test_answer__rejects_bad_question_with_actionable_message(seeded_settings, question: str,
                                                              message: str) -> None:
    with pytest.raises(InvalidQuestionError) as exc:
        answer(question, settings=seeded_settings)
    assert str(exc.value) == message


def test_answer__builds_index_from_corpus_when_empty(tmp_path) -> None:
    res = answer("Where did Witkoff meet Putin?", settings=make_settings(tmp_path / "data"))
    assert not res.abstained and res.citations


def test_answer__without_index_or_corpus_says_what_to_run(tmp_path) -> None:
    settings = make_settings(tmp_path / "data").model_copy(update={"corpus_dir": tmp_path / "missing"})
    with pytest.raises(IndexNotReadyError) as exc:
        answer("Where did Witkoff meet Putin?", settings=settings)
    assert "Run `rag ingest PATH`" in str(exc.value)


def test_answer__asked_for_an_age_quotes_the_sentence_that_gives_it(seeded_settings) -> None:
    res = answer("How old is Kirill Dmitriev?", settings=seeded_settings)
    assert not res.abstained and "49" in res.text
    assert_citations_valid(res)


def test_answer__compound_question_answers_and_cites_each_part(seeded_settings) -> None:
    res = answer("Where exactly did Witkoff and Putin meet, and how did Putin's aide Ushakov describe the meeting?",
                 settings=seeded_settings)
    assert "presidential library" in res.text and "productive" in res.text
    assert_citations_valid(res)
    assert len(res.citations) >= 2


def test_answer__disagreeing_source_outranks_a_merely_similar_sentence(seeded_settings) -> None:
    res = answer("What casualty figures were reported for Thursday's missile attack on Kyiv?", settings=seeded_settings)
    assert res.conflict and "10" in res.text and "12" in res.text
    assert len({c.source for c in res.citations}) >= 2
    assert_citations_valid(res)


def test_answer__who_question_names_the_person_not_the_place(seeded_settings) -> None:
    res = answer("Who was Ksenia Karelina exchanged for, and where did the exchange happen?", settings=seeded_settings)
    assert "Arthur Petrov" in res.text and "Abu Dhabi" in res.text
    assert_citations_valid(res)


def test_get_pipeline__settings_differing_only_in_a_secret_get_their_own_pipeline(tmp_path) -> None:
    from rag.answering import get_pipeline

    one = make_settings(tmp_path, openai_api_key="sk-one", chroma_token="t1")
    other_key = make_settings(tmp_path, openai_api_key="sk-two", chroma_token="t1")
    other_token = make_settings(tmp_path, openai_api_key="sk-one", chroma_token="t2")
    assert get_pipeline(one) is get_pipeline(make_settings(tmp_path, openai_api_key="sk-one", chroma_token="t1"))
    assert get_pipeline(one) is not get_pipeline(other_key)
    assert get_pipeline(one) is not get_pipeline(other_token)


def test_warm__loads_models_and_bm25_before_the_first_question(seeded_settings) -> None:
    # A fresh interpreter: in this one, earlier tests have loaded spaCy already.
    code = f"""
from pathlib import Path
from rag.answering import Pipeline
from rag.settings import RagSettings
from rag.generate.reader import _load_model as load_model
from rag.index import keyword
from rag.nlp import _load
from rag.settings import RagSettings
settings = RagSettings(_env_file=None, data_dir=Path({str(seeded_settings.data_dir)!r}),
                       corpus_dir=Path({str(seeded_settings.corpus_dir)!r}))
pipeline = Pipeline(settings)
before = (_load.cache_info().currsize, load_model.cache_info().currsize, len(keyword._cache))
pipeline.warm()
after = (_load.cache_info().currsize, load_model.cache_info().currsize, len(keyword._cache))
print(before, after)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(0, 0, 0) (1, 1, 1)"  # spaCy, reader weights, BM25 in memory


def test_warm__leaves_a_missing_index_for_the_first_question_to_report(tmp_path) -> None:
    settings = RagSettings(_env_file=None, data_dir=tmp_path / "data", corpus_dir=tmp_path / "no-such-folder")
    pipeline = Pipeline(settings)
    pipeline.warm()  # must not raise: the UI calls it in a background thread at start
    with pytest.raises(IndexNotReadyError, match="does not exist"):
        pipeline.answer("Where did Witkoff meet Putin?")
