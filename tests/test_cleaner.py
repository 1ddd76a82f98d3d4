import pytest

from rag.ingest.cleaner import clean_document, shared_keys, split_paragraphs
from rag.ingest.loader import load_documents
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def cleaned() -> dict[str, str]:
    docs, _ = load_documents([SEEDS], 10**7)
    shared = shared_keys([[p.key for p in split_paragraphs(d.text)] for d in docs])
    return {d.source.partition("/")[2]: "\n".join(p.text for p in clean_document(d, shared).paragraphs) for d in docs}


@pytest.mark.parametrize(
    "chrome",
    [
        "Support The Moscow Times!",
        "Sign up for our free weekly newsletter",
        "Dear readers,",
        "please support us monthly",
        "Remind me later.",
        "Read more",
        "IE 11 is not supported",
        "Scroll to Top",
        "Getty Images",
        "AP / TASS",
        "Get more newsLiveon",
        "Monthly",
    ],
)
def test_clean_document__removes_page_chrome(cleaned: dict[str, str], chrome: str) -> None:
    assert all(chrome not in text for text in cleaned.values())


def test_clean_document__removes_lone_close_word(cleaned: dict[str, str]) -> None:
    assert not cleaned["004_65f930d9f114bd18.txt"].rstrip().endswith("close")


@pytest.mark.parametrize(
    ("source", "fact"),
    [
        ("003_eaebfa045854f265.txt", "Witkoff met with Putin at the presidential library in St. Petersburg"),
        ("000_c4712fde8296b1f4.txt", "with Arthur Petrov, a German-Russian dual national"),  # shared body paragraph
        ("003_eaebfa045854f265.txt", "with Arthur Petrov, a German-Russian dual national"),
        ("002_181e4f12115521e5.txt", "at least 10 people dead and more than 90 injured"),
        ("004_65f930d9f114bd18.txt", "killed 12 in Kyiv and injured more than 80"),
        ("001_8637233b93c6c890.txt", "50 nations pledged €21 billion"),
        ("004_65f930d9f114bd18.txt", "“one of the scenarios is to give up territory.”"),
    ],
)
def test_clean_document__keeps_body_facts(cleaned: dict[str, str], source: str, fact: str) -> None:
    assert fact in cleaned[source]


def test_clean_document__finds_headline_as_title() -> None:
    docs, _ = load_documents([SEEDS / "003_eaebfa045854f265.txt"], 10**7)
    assert clean_document(docs[0]).title == "Trump Envoy Meets With Putin in St. Petersburg for Ukraine Talks"


def test_split_paragraphs__joins_hard_wrapped_lines_and_keeps_exact_slices() -> None:
    text = "Headline Here\n\nThe envoy met the president\nin the city on Friday.\nNext paragraph."
    paras = split_paragraphs(text)
    assert [p.text for p in paras] == [
        "Headline Here", "The envoy met the president\nin the city on Friday.", "Next paragraph."]
    assert all(text[p.start:p.end] == p.text for p in paras)
