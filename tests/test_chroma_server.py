"""Chroma server mode: a real `chroma run` on 127.0.0.1, plus a token-checking proxy in front of it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from rag.answering import Pipeline
from rag.errors import StoreUnavailableError
from rag.index.store import chunks_collection
from rag.ingest.pipeline import ingest
from rag.retrieve.hybrid import HybridRetriever
from tests.conftest import SEEDS, make_settings, seed_text
from tests.processes import free_port

pytestmark = pytest.mark.server

TOKEN = "s3cret-Token"


@pytest.fixture(scope="module")
def token_proxy(chroma_server):
    """A proxy that forwards to the server only requests carrying TOKEN as Chroma's clients send it."""
    host, port = chroma_server
    upstream = httpx.Client(base_url=f"http://{host}:{port}", timeout=30)
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def forward(path: str, request: Request) -> Response:
        sent = request.headers.get("authorization") or ""
        if sent != f"Bearer {TOKEN}" and request.headers.get("x-chroma-token") != TOKEN:
            return Response(status_code=401, content=b'{"error":"Unauthorized"}')
        got = upstream.request(request.method, f"/{path}", params=request.query_params,
                               content=await request.body(), headers={"content-type": "application/json"})
        return Response(status_code=got.status_code, content=got.content,
                        media_type=got.headers.get("content-type"))

    proxy_port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=proxy_port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield "127.0.0.1", proxy_port
    server.should_exit = True
    thread.join(timeout=10)
    upstream.close()


def test_chroma_server__ingest_and_answer_with_verbatim_citations(chroma_server, tmp_path: Path) -> None:
    host, port = chroma_server
    settings = make_settings(tmp_path / "data", chroma_host=host, chroma_port=port, collection="srv")
    report = ingest([SEEDS], settings)
    assert len(report.added) == 5 and report.chunks_written > 0
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to an embedded store
    assert chunks_collection(settings).count() == report.chunks_written
    res = Pipeline(settings).answer("Where did Witkoff meet Putin?")
    assert not res.abstained and res.citations
    for c in res.citations:
        assert seed_text(c.source)[c.start : c.end] == c.quote
    assert ingest([SEEDS], settings).wrote is False


def test_chroma_server__another_machine_syncs_bm25_from_the_server(chroma_server, tmp_path: Path) -> None:
    host, port = chroma_server
    writer = make_settings(tmp_path / "writer", chroma_host=host, chroma_port=port, collection="sync")
    ingest([SEEDS], writer)
    reader = make_settings(tmp_path / "reader", chroma_host=host, chroma_port=port, collection="sync")
    hits = HybridRetriever(reader).keyword_index().search("Ksenia Karelina exchanged", 5)
    assert hits and (tmp_path / "reader" / "bm25").is_dir()
    ids = set(chunks_collection(reader).get(include=[])["ids"])
    assert {cid for cid, _ in hits} <= ids


@pytest.mark.parametrize("header", ["Authorization", "X-Chroma-Token"])
def test_chroma_server__token_is_sent_as_chroma_expects(token_proxy, tmp_path: Path, header: str) -> None:
    host, port = token_proxy
    settings = make_settings(tmp_path / "data", chroma_host=host, chroma_port=port, chroma_token=TOKEN,
                             chroma_token_header=header, collection=f"tok{header[0]}")
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text(seed_text("003_eaebfa045854f265.txt"), encoding="utf-8")
    assert ingest([one], settings).added == ["one/a.txt"]


def test_chroma_server__wrong_token_is_a_store_error(token_proxy, tmp_path: Path) -> None:
    host, port = token_proxy
    settings = make_settings(tmp_path / "data", chroma_host=host, chroma_port=port, chroma_token="wrong")
    with pytest.raises(StoreUnavailableError, match=f"Cannot open the Chroma server at {host}:{port}"):
        chunks_collection(settings)


def test_chroma_server__unreachable_server_is_a_store_error(tmp_path: Path) -> None:
    port = free_port()
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(StoreUnavailableError, match=r"Check CHROMA_HOST/CHROMA_PORT/CHROMA_TOKEN"):
        chunks_collection(settings)
