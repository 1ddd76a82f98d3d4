""""What is the name of the X?" is answered by a name of X's sort: a person's for a role, a body's for a thing."""

from __future__ import annotations

import pytest

from rag.answering import Pipeline
from rag.generate.asking import read_question
from rag.generate.heads import name_labels
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def rules(seeded_settings) -> Pipeline:
    return Pipeline(make_settings(seeded_settings.data_dir, reader="rules"))


@pytest.fixture(scope="module")
def learned(seeded_settings) -> Pipeline:
    return Pipeline(make_settings(seeded_settings.data_dir, reader="learned"))


def test_name_labels__a_things_name_is_no_persons_and_a_roles_name_is_a_persons(rules) -> None:
    charity = name_labels(read_question("What was the name of the Ukrainian charity Karelina donated to?"), rules.embed)
    assert "PERSON" not in charity.labels and "ORG" in charity.labels
    expert = name_labels(read_question("What is the name of the biowarfare expert?"), rules.embed)
    assert expert.labels == frozenset({"PERSON"})
    # a role asked by "Who is the X of Y?" and questions asking for no name keep their labels
    for question in ("Who is the principal of Hillcrest Christian College?", "Where did Witkoff meet Putin?"):
        assert name_labels(read_question(question), rules.embed) == read_question(question)


@pytest.mark.parametrize("reader", ["rules", "learned"])
def test_both_readers__a_person_named_near_the_charity_is_not_its_name(request, reader: str) -> None:
    res = request.getfixturevalue(reader).answer("What was the name of the Ukrainian charity Karelina donated to?")
    assert res.abstained, res.text
