"""Reading what a question asks for (rag/generate/question.py): pure functions, no index."""

import pytest

from rag.generate.asking import split_compound
from rag.generate.question import answer_type, focus_terms, names_in, shows_type


@pytest.mark.parametrize(
    ("question", "parts"),
    [("Where did they meet, and how long did it last?", ["Where did they meet?", "how long did it last?"]),
     ("How much did she give; in which city?", ["How much did she give?", "in which city?"]),
     ("Where did Witkoff and Putin meet?", ["Where did Witkoff and Putin meet?"]),  # "and" inside one question
     ("What did Trump and Zelenskyy say?", ["What did Trump and Zelenskyy say?"])],
)
def test_split_compound__splits_only_at_a_second_question(question: str, parts: list[str]) -> None:
    assert split_compound(question) == parts


@pytest.mark.parametrize(
    ("question", "kind"),
    [("How old is Kirill Dmitriev?", "age"), ("How long did the meeting last?", "duration"),
     ("How many times had they met?", "times"), ("How many drones were launched?", "number"),
     ("What casualty figures were reported?", "number"), ("When was Crimea annexed?", "date"),
     ("Where did they meet?", "place"), ("Who was released?", "person"), ("Why did he go?", None)],
)
def test_answer_type__reads_the_kind_of_answer_from_the_wording(question: str, kind: str | None) -> None:
    found = answer_type(question)
    assert (found.name if found else None) == kind


def test_answer_type__a_scene_setting_clause_before_the_question_word_is_not_what_is_asked() -> None:
    assert answer_type("When the interim president quit after a week, who did he say would take over?").name == "person"
    assert answer_type("After the attack, how many people were evacuated?").name == "number"
    assert answer_type("When was Crimea annexed, where was it?").name == "date"  # a question of its own


def test_date_answers__a_sentence_giving_the_date_is_preferred_to_one_restating_the_question() -> None:
    from rag.generate.asking import read_question
    from rag.generate.extractive import _fits

    question = "When does the Prime Minister expect to travel to Jakarta for the summit?"
    kind = answer_type(question)
    assert kind.mode == "prefer"
    asked = read_question(question)
    assert not _fits(kind, "The Prime Minister has revealed he will travel to Jakarta for a summit.", set(), asked)
    assert _fits(kind, "He now expects to make the trip in February or March.", set(), asked)


def test_shows_type__age_must_belong_to_the_person_asked_about() -> None:
    kind = answer_type("How old is Steve Witkoff?")
    sentence = "Dmitriev, 49, had visited Washington last week."
    assert not shows_type(kind, sentence, names_in("How old is Steve Witkoff?"))
    assert shows_type(kind, sentence, names_in("How old is Kirill Dmitriev?"))


def test_shows_type__a_person_already_named_in_the_question_is_not_an_answer() -> None:
    kind = answer_type("Who was Karelina exchanged for?")
    names = names_in("Who was Karelina exchanged for?")
    assert shows_type(kind, "Karelina was swapped with Arthur Petrov.", names)
    assert not shows_type(kind, "Ksenia Karelina was released.", names)
    assert not shows_type(kind, "On Thursday, Karelina was released in Abu Dhabi.", names)  # a day, a place


def test_shows_type__times_needs_a_count_of_occasions_not_any_ordinal() -> None:
    kind = answer_type("How many times had Witkoff met Putin?")
    assert shows_type(kind, "This marks Witkoff's third meeting with Putin this year.", set())
    assert not shows_type(kind, "Witkoff first sat down with Dmitriev.", set())


def test_names_in__drops_the_question_word_and_possessives() -> None:
    assert names_in("How did Putin's aide Yuri Ushakov describe it?") == {"Putin", "Yuri", "Ushakov"}


@pytest.mark.parametrize(
    ("question", "terms"),
    [("What is the population of St. Petersburg?", ["popul"]),
     ("What was the weather like in Moscow?", ["weather"]),
     ("How many people attended the summit?", ["attend"]),
     ("How many people were killed?", []), ("Where did they meet?", [])],
)
def test_focus_terms__name_the_attribute_or_action_asked_about(question: str, terms: list[str]) -> None:
    assert focus_terms(question) == terms
