"""The real UI: `rag ui` in a subprocess on a free port, driven by headless Chromium and gradio_client.

The corpus is the seeds plus one article whose text carries an XSS payload, so the browser test can
check that article markup is shown as text and never runs.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rag.generate.prompts import ABSTAIN_TEXT
from tests.conftest import ROOT, SEEDS
from tests.processes import free_port, stop, wait_until_up

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts"
XSS_FILE = "900_harbor_terminal.txt"
XSS_IMG, XSS_SCRIPT = "<img src=x onerror=alert(1)>", "<script>alert(2)</script>"
XSS_ARTICLE = f"""Harbor Authority Approves New Ferry Terminal in Portsmouth

The Portsmouth harbor authority approved a new ferry terminal on Tuesday after a two-year review of the plans.

Officials said the {XSS_IMG} ferry terminal in Portsmouth will cost 40 million pounds {XSS_SCRIPT} and open in 2027.

The new terminal will handle up to 12 ferries a day, the harbor authority said in a statement.
"""
XSS_QUESTION = "How much will the Portsmouth ferry terminal cost?"
FINAL = "[data-testid='bot'] .nr-answer:not(.nr-streaming)"  # a finished answer, abstention or error bubble


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("ui-corpus")
    for f in SEEDS.glob("*.txt"):
        shutil.copy(f, target / f.name)
    (target / XSS_FILE).write_text(XSS_ARTICLE, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def ui_url(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[str]:
    """`python -m rag.cli ui` on a free 127.0.0.1 port with its own data dir; stopped afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RAG_", "OPENAI_", "CHROMA_")) and k not in ("TIKTOKEN_CACHE_DIR", "NLTK_DATA")}
    # Loopback URLs are allowed so the Articles tab can add pages from the test's own 127.0.0.1 server.
    env.update(RAG_DATA_DIR=str(tmp_path_factory.mktemp("ui-data")), RAG_CORPUS_DIR=str(corpus_dir),
               RAG_URL_ALLOW_PRIVATE="true",
               # A slower pace than the default 0.02 s keeps the streamed state on screen for a few seconds, so
               # a loaded browser that applies several updates in one frame still renders it.
               RAG_UI_TYPING_DELAY="0.08",
               PYTHONPATH=str(ROOT), GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    log_path = tmp_path_factory.mktemp("ui-log") / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "ui", "--port", str(port)], env=env,
                                cwd=tmp_path_factory.mktemp("ui-cwd"), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            wait_until_up(url, 180, proc=proc, log=log_path)
        except RuntimeError as exc:
            pytest.fail(f"`rag ui` did not start: {exc}")
        yield url
    finally:
        stop(proc, 15)


@pytest.fixture
def page(ui_url: str):
    """A Chromium page on the UI; every JS dialog is recorded (and dismissed)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium: run `make browser` "
                    "(apt-get install -y chromium) to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.dialogs = []

        def on_dialog(dialog) -> None:
            pg.dialogs.append(dialog.message)
            dialog.dismiss()

        pg.on("dialog", on_dialog)
        pg.goto(ui_url, wait_until="domcontentloaded")
        pg.wait_for_selector("#question textarea")
        try:
            yield pg
        finally:
            browser.close()


def _ask(page, question: str, *, click: bool = False):
    """Type (or leave empty) and send a question; return the finished bot bubble."""
    before = page.locator(FINAL).count()
    page.fill("#question textarea", question)
    if click:
        page.click("#ask")
    else:
        page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll(\"{FINAL}\").length > {before}", timeout=90_000)
    return page.locator(FINAL).nth(before)


def _cited(page, bubble, turn: int) -> list[str]:
    """Marker targets of a bubble, each checked to exist in the sources panel; returns highlighted quotes."""
    # Distinct targets in order of first use (the short answer repeats its citation's marker).
    hrefs = list(dict.fromkeys(a.get_attribute("href") for a in bubble.locator("a.nr-cite").all()))
    assert hrefs, f"no citation markers in: {bubble.inner_text()}"
    quotes = []
    for n, href in enumerate(hrefs, start=1):
        assert href == f"#nr-src-{turn}-{n}"
        assert page.locator(f"#sources {href}").count() == 1
        quotes.append(" ".join(page.locator(f"#sources mark.nr-c-{turn}-{n}").all_inner_texts()))
    return quotes


@pytest.mark.browser
@pytest.mark.slow
def test_ui__chat_streams_cites_follows_up_escapes_and_recovers(page, corpus_dir: Path) -> None:
    header = page.locator("#nr-header").inner_text()
    assert f"Corpus: {corpus_dir.name} · 6 articles" in header and "offline answerer" in header

    # 1. A question: the answer streams (provisional text first), then is replaced by the cited answer.
    # Recorded by a MutationObserver, not by polling: the streamed state must reach the page at least once.
    page.evaluate("""() => { window.nrStreamed = false;
        new MutationObserver(() => { if (document.querySelector(
            "[data-testid='bot'] .nr-streaming p:not(.nr-wait)")) window.nrStreamed = true; })
        .observe(document.body, {childList: true, subtree: true, characterData: true}); }""")
    page.fill("#question textarea", "Where did Witkoff meet Putin?")
    page.press("#question textarea", "Enter")
    page.wait_for_selector(FINAL, timeout=90_000)
    assert page.evaluate("window.nrStreamed"), "the answer never streamed: the final answer appeared at once"
    first = page.locator(FINAL).first
    quotes = _cited(page, first, 1)
    assert any("St. Petersburg" in q for q in quotes)
    files = page.locator("#sources .nr-file").all_inner_texts()  # article ids: <folder name>/<file>
    assert files and all(f.strip().startswith(f"{corpus_dir.name}/") for f in files)
    assert all((corpus_dir / f.strip().partition("/")[2]).is_file() for f in files)
    assert len(files) == len(set(files))  # each article once

    # Clicking a marker brings its quote into view and highlights it.
    first.locator("a.nr-cite").first.click()
    page.wait_for_selector("#sources mark.nr-c-1-1.nr-flash")
    assert page.locator("#sources mark.nr-c-1-1").first.is_visible()

    # 2. A follow-up is answered from the history.
    follow = _ask(page, "How long did it last?")
    assert any("hours" in q for q in _cited(page, follow, 2))

    # 3. Article markup is displayed as text; nothing runs.
    xss = _ask(page, XSS_QUESTION)
    _cited(page, xss, 3)
    assert XSS_IMG in xss.inner_text() and XSS_SCRIPT in xss.inner_text()
    assert XSS_IMG in page.locator("#sources").inner_text()
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(500)  # give a broken-image onerror time to fire, were it ever rendered

    # 4. An empty question is a friendly error in the chat; the app still answers afterwards.
    error = _ask(page, "", click=True)
    assert "Please type a question." in error.inner_text() and "nr-error" in error.get_attribute("class")
    after = _ask(page, "Who was Ksenia Karelina exchanged for?")
    _cited(page, after, 5)

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(FINAL).nth(2).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)
    assert page.dialogs == []

    # 5. Clearing empties the chat and the sources panel.
    page.click("#clear")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='bot']\").length === 0")
    assert page.locator("#sources .nr-card").count() == 0


@pytest.mark.server
@pytest.mark.slow
def test_ui__ten_simultaneous_questions_are_all_answered_verbatim(ui_url: str, corpus_dir: Path) -> None:
    from gradio_client import Client

    texts = {f"{corpus_dir.name}/{p.name}": p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.txt")}
    answerable = ["Where did Witkoff meet Putin?", "How many people were killed in the strikes on Kyiv?",
                  "Who was Ksenia Karelina exchanged for?", "What did Klitschko say about giving up territory?",
                  XSS_QUESTION]
    off_topic = ["Who won the 2024 Super Bowl?", "What is the capital of France?"]
    questions = [*answerable, *off_topic, *answerable[:3]]
    client = Client(ui_url, verbose=False)
    with ThreadPoolExecutor(max_workers=len(questions) + 2) as pool:
        jobs = [pool.submit(client.predict, q, api_name="/ask") for q in questions]
        chats = [pool.submit(client.predict, q, api_name="/chat") for q in answerable[:2]]
        results = [j.result(timeout=300) for j in jobs]
        chat_results = [j.result(timeout=300) for j in chats]
    for question, res in zip(questions, results, strict=True):
        assert "error" not in res, res
        if question in off_topic:
            assert res["abstained"] and res["text"] == ABSTAIN_TEXT and res["citations"] == []
            continue
        assert not res["abstained"] and res["citations"], question
        for c in res["citations"]:
            assert texts[c["source"]][c["start"]:c["end"]] == c["quote"]
            assert f"[{c['n']}]" in res["text"]
    for chat, sources, *_ in chat_results:
        content = chat[-1]["content"]  # gradio 6 sends message content as a list of typed parts
        assert "nr-cite" in " ".join(p["text"] for p in content if p.get("type") == "text")
        for mark in sources.split("<mark")[1:]:
            quote = html.unescape(mark.split(">", 1)[1].split("</mark>", 1)[0])
            assert any(quote in t for t in texts.values())


UPLOAD_NAME = "fenwick_lighthouse.txt"
UPLOAD_ARTICLE = """Fenwick Lighthouse Reopens After Restoration

The Fenwick lighthouse reopened to visitors on Sunday after a restoration that cost 3.2 million pounds, the
county heritage trust said.

The trust said the lighthouse keeper's cottage will become a small maritime museum next spring.
"""
UPLOAD_QUESTION = "What will the Fenwick lighthouse keeper's cottage become?"


def _open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


# True once the drop zone's file input has been the same element for 500 ms. Gradio mounts a freshly shown tab's
# upload input, drops it and mounts another within milliseconds; a file set on the dropped one is uploaded but never
# shown (reproduced by setting the file on the first input to appear).
_UPLOAD_INPUT_SETTLED = """() => {
    const input = document.querySelector("#nr-upload input[type=file]");
    if (!input) return false;
    if (window.nrUploadInput !== input) { window.nrUploadInput = input; window.nrUploadSince = performance.now(); }
    return performance.now() - window.nrUploadSince > 500;
}"""
# The names in the drop zone's list of chosen files. Gradio shows a name as stem and suffix in two elements with
# whitespace between them ("fenwick_lighthouse .txt"); only its upload progress line, shown while the file is sent,
# holds the whole name, so waiting for that text raced the upload and failed whenever the upload was quicker.
_CHOSEN_NAMES = """() => [...document.querySelectorAll("#nr-upload .file-preview .filename")]
    .map(cell => cell.textContent.replace(/\\s+/g, ""))"""


def _choose_file(page, path: Path) -> None:
    """Set `path` on the Articles tab's drop zone once its input has settled, and wait until Gradio lists it as
    chosen, once. On a timeout, a screenshot says what the page showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_function(_UPLOAD_INPUT_SETTLED, polling=100, timeout=60_000)
    page.evaluate_handle("window.nrUploadInput").as_element().set_input_files([str(path)])
    try:
        page.wait_for_function(f"({_CHOSEN_NAMES})().length > 0", polling=100, timeout=60_000)
    except PlaywrightTimeout:
        page.screenshot(path=str(ARTIFACTS / "upload-not-chosen.png"), full_page=True)
        pytest.fail(f"Gradio did not list {path.name} as chosen within 60 s (tests/artifacts/upload-not-chosen.png)")
    assert page.evaluate(_CHOSEN_NAMES) == [path.name]


def _add_chosen(page) -> None:
    """Click "Add files" and wait for the upload's "added" result; on a timeout, save a screenshot and say what the
    result box held."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.click("#nr-add-files")
    try:
        page.wait_for_selector("#nr-ingest-result .nr-res-added", timeout=120_000)
    except PlaywrightTimeout:
        page.screenshot(path=str(ARTIFACTS / "add-files-no-result.png"), full_page=True)
        pytest.fail("no 'added' result after Add files; result box: "
                    f"{page.locator('#nr-ingest-result').inner_text()!r} (tests/artifacts/add-files-no-result.png)")


def _viewport_holds(page, selector: str) -> bool:
    """True when the element's box lies inside the visible viewport."""
    return page.eval_on_selector(selector, """el => { const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""")


def _phone_size_keeps_input_visible(page, screenshot: str) -> None:
    """At 390x844 scrolled to the top, the question box is visible without scrolling; saves a screenshot."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    assert _viewport_holds(page, "#question textarea")
    page.screenshot(path=str(ARTIFACTS / screenshot))


@pytest.mark.browser
@pytest.mark.slow
def test_ui__upload_ask_delete_ask_again_on_desktop_and_phone(page, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    upload = tmp_path / UPLOAD_NAME
    upload.write_text(UPLOAD_ARTICLE, encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Upload by the file input the drop zone wraps; the result names the file and the header count moves.
    _open_tab(page, "Articles")
    _choose_file(page, upload)
    _add_chosen(page)
    assert f"uploads/{UPLOAD_NAME}" in page.locator("#nr-ingest-result").inner_text()
    assert "7 articles" in page.locator("#nr-header").inner_text()
    assert f"uploads/{UPLOAD_NAME}" in page.locator("#nr-article-list").inner_text()
    page.screenshot(path=str(ARTIFACTS / "articles-desktop.png"), full_page=True)

    # Ask about it: the answer cites the uploaded article.
    _open_tab(page, "Chat")
    cited = _ask(page, UPLOAD_QUESTION)
    quotes = _cited(page, cited, page.locator(FINAL).count())
    assert any("maritime museum" in q for q in quotes)
    assert f"uploads/{UPLOAD_NAME}" in page.locator("#sources").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"))

    # Phone: the input is visible without scrolling, and a tapped [n] reaches its source and comes back.
    _phone_size_keeps_input_visible(page, "chat-phone.png")
    marker = page.locator(FINAL).last.locator("a.nr-cite").first
    href = marker.get_attribute("href")
    marker.click()
    page.wait_for_timeout(800)  # smooth scrolling
    assert _viewport_holds(page, f"#sources {href}") or _viewport_holds(page, "#sources mark.nr-flash")
    page.locator(f"#sources a.nr-back[href='{href}']").first.click()
    page.wait_for_timeout(800)
    assert _viewport_holds(page, f"#chat a.nr-cite[href='{href}']")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Delete it: the count goes back and the same question is no longer answered from it.
    _open_tab(page, "Articles")
    page.click("#nr-delete-choice input")
    page.keyboard.type(UPLOAD_NAME[:12])
    page.get_by_role("option", name=f"uploads/{UPLOAD_NAME}").click()
    # Delete only asks; Cancel keeps the article, and only "Yes, delete it" deletes it.
    page.click("#nr-delete")
    page.wait_for_selector("#nr-delete-confirm", state="visible", timeout=30_000)
    assert f"Delete uploads/{UPLOAD_NAME} from the index?" in page.locator("#nr-ingest-result").inner_text()
    page.click("#nr-delete-cancel")
    page.wait_for_selector("#nr-ingest-result .nr-cancelled", timeout=30_000)
    assert page.locator("#nr-delete-confirm").is_hidden()
    assert "7 articles" in page.locator("#nr-header").inner_text()
    assert f"uploads/{UPLOAD_NAME}" in page.locator("#nr-article-list").inner_text()
    page.click("#nr-delete")
    page.click("#nr-delete-confirm")
    page.wait_for_selector("#nr-ingest-result .nr-deleted", timeout=60_000)
    assert "6 articles" in page.locator("#nr-header").inner_text()
    assert f"uploads/{UPLOAD_NAME}" not in page.locator("#nr-article-list").inner_text()
    _open_tab(page, "Chat")
    page.click("#clear")  # a fresh conversation: the question alone, no history to carry it
    page.wait_for_function("document.querySelectorAll(\"[data-testid='bot']\").length === 0")
    again = _ask(page, UPLOAD_QUESTION)
    assert "nr-abstain" in again.get_attribute("class"), again.inner_text()
    assert page.dialogs == []


WEB = ROOT / "tests" / "data" / "web"  # two dated news pages that disagree about one figure
EARLY, UPDATE = "bridge-closure-early.html", "bridge-closure-update.html"
BRIDGE_QUESTION = "How long will the repairs to the Kestrel bridge take?"


@pytest.fixture
def news_site() -> Iterator[str]:
    """`python -m http.server` on a free 127.0.0.1 port serving tests/data/web; its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(WEB)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/{EARLY}", 30, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc, 10)


@pytest.mark.browser
@pytest.mark.slow
def test_ui__add_by_url_then_answer_quotes_the_page_with_its_metadata_and_names_the_newer_report(
        page, news_site: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    _open_tab(page, "Articles")
    for name in (EARLY, UPDATE):
        page.fill("#nr-url input, #nr-url textarea", f"{news_site}/{name}")
        page.click("#nr-add-url")
        page.wait_for_function(
            f"document.querySelectorAll('#nr-ingest-result .nr-res-added').length === 1 && "
            f"document.querySelector('#nr-ingest-result').innerText.includes('{name}')", timeout=120_000)
        assert page.input_value("#nr-url input, #nr-url textarea") == ""  # the box is emptied for the next link
    listed = page.locator("#nr-article-list").inner_text()
    assert "Kestrel bridge repairs will take longer" in listed and "Harbour Herald" in listed
    assert "2025-05-02" in listed and "Coastline Courier" in listed

    _open_tab(page, "Chat")
    bubble = _ask(page, BRIDGE_QUESTION)
    turn = page.locator(FINAL).count()
    assert "nr-conflict" in bubble.get_attribute("class"), bubble.inner_text()
    # The bubble itself says which report is newer, with a marker that reaches that report's card.
    newer = bubble.locator(".nr-newer")
    assert newer.inner_text().startswith("The newer report is ")
    assert newer.inner_text().endswith("(Harbour Herald, 2025-05-20).")
    href = newer.locator("a.nr-cite").get_attribute("href")
    card = page.locator(f"#sources {href}").locator("xpath=ancestor::article")
    assert "Harbour Herald" in card.inner_text() and "2025-05-20" in card.inner_text()
    assert card.locator("a[href='https://herald.example/2025/05/20/kestrel-bridge-repairs-longer']").count() == 1
    # Each highlighted quote is verbatim from a page (the extracted text keeps the page's sentences).
    pages = [(WEB / name).read_text(encoding="utf-8") for name in (EARLY, UPDATE)]
    quotes = _cited(page, bubble, turn)
    assert any("take ten weeks" in q for q in quotes) and any("take six weeks" in q for q in quotes)
    assert all(any(q in p for p in pages) for q in quotes), quotes
    sources = page.locator("#sources").inner_text()
    assert "Coastline Courier" in sources and "2025-05-02" in sources
    page.screenshot(path=str(ARTIFACTS / "url-conflict-desktop.png"))
    _phone_size_keeps_input_visible(page, "url-conflict-phone.png")
    assert page.dialogs == []
