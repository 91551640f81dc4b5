"""A bare Flask app answering each benchmark body with its stored answer: the baseline for the HTTP figures.

bench/estimates.py asks quoteapi for the answer to every body it will send
and hands them here (QUOTEAPI_BENCH_ANSWERS_FILE, a JSON list of
``[body, answer]`` pairs), so that both servers send the same bytes for the
same request; the bare app's only work is one dictionary look-up.
"""

import json
import os
from pathlib import Path

from flask import Flask, Response, request

app = Flask(__name__)
ANSWERS = {
    body.encode(): answer.encode()
    for body, answer in json.loads(Path(os.environ["QUOTEAPI_BENCH_ANSWERS_FILE"]).read_text("utf-8"))
}


@app.post("/api/v1/estimates")
def fixed() -> Response:
    return Response(ANSWERS[request.get_data()], mimetype="application/json")


@app.get("/readyz")
def ready() -> Response:
    return Response(b'{"status":"ready"}', mimetype="application/json")
