"""A scripted OpenAI-compatible chat server for tests: real HTTP on 127.0.0.1, replies chosen by the test.

Speaks POST /v1/chat/completions, streamed (SSE `data: {...}` chunks and `data: [DONE]`) or not. Each
request takes the next scripted `Reply` (or calls a function of the request that returns one); with the
script empty it answers HTTP 599 so an unexpected extra call fails loudly. Every request is recorded.
Does not implement anything else of the OpenAI API.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


@dataclass
class Reply:
    """One scripted behaviour of the server."""

    text: str = ""  # completion text (streamed in `chunk_chars` pieces when the client streams)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before anything is sent (longer than the client timeout = a timeout)
    raw: str | None = None  # send this body (or, streaming, this as the only SSE data line) instead
    chunk_chars: int = 8
    chunk_delay: float = 0.0
    drop_after: int | None = None  # streaming: close the connection after this many chunks, mid-answer
    error_body: dict[str, Any] | None = None  # JSON body of an error status


Script = Reply | Callable[[dict[str, Any]], Reply]


@dataclass
class Recorded:
    """A request as the server saw it."""

    body: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def prompt(self) -> str:
        """All message contents joined."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


class ScriptedServer:
    """The server plus its script and request log; `url` ends in /v1 like OPENAI_BASE_URL."""

    def __init__(self) -> None:
        self.script: deque[Script] = deque()
        self.requests: list[Recorded] = []
        self.app = self._build_app()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=1, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self) -> ScriptedServer:
        """Start serving; returns once the socket accepts requests."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("scripted OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Shut down and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def reset(self, *replies: Script) -> None:
        """Forget earlier requests and script the next replies, in order."""
        self.script.clear()
        self.script.extend(replies)
        self.requests.clear()

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            body = await request.json()
            self.requests.append(Recorded(body, dict(request.headers), time.monotonic()))
            if not self.script:
                return JSONResponse({"error": {"message": "no scripted reply left"}}, status_code=599)
            script = self.script.popleft()
            reply = script(body) if callable(script) else script
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.status != 200:
                error = reply.error_body or {"error": {"message": f"scripted HTTP {reply.status}"}}
                return JSONResponse(error, status_code=reply.status, headers=reply.headers)
            model = body.get("model", "scripted")
            if body.get("stream"):
                return StreamingResponse(_sse(reply, model), media_type="text/event-stream", headers=reply.headers)
            if reply.raw is not None:
                return Response(reply.raw, media_type="application/json", headers=reply.headers)
            return JSONResponse(_completion(reply.text, model), headers=reply.headers)

        return app


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict[str, Any], model: str, finish: str | None = None) -> str:
    data = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(data)}\n\n"


async def _sse(reply: Reply, model: str):
    if reply.raw is not None:
        yield f"data: {reply.raw}\n\n"
        yield "data: [DONE]\n\n"
        return
    yield _chunk({"role": "assistant", "content": ""}, model)
    pieces = [reply.text[i:i + reply.chunk_chars] for i in range(0, len(reply.text), reply.chunk_chars)]
    for i, piece in enumerate(pieces):
        if reply.drop_after is not None and i >= reply.drop_after:
            raise ConnectionAbortedError("scripted drop")  # uvicorn closes the connection mid-body
        if reply.chunk_delay:
            await asyncio.sleep(reply.chunk_delay)
        yield _chunk({"content": piece}, model)
    yield _chunk({}, model, finish="stop")
    yield "data: [DONE]\n\n"
