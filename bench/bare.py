"""A bare Flask app answering a fixed JSON body: the baseline for the HTTP figures.

The body is set by bench/estimates.py (QUOTEAPI_BENCH_BODY_FILE) to a real
estimate answer, so both servers send the same number of bytes.
"""

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
BODY = Path(os.environ["QUOTEAPI_BENCH_BODY_FILE"]).read_bytes()


@app.post("/api/v1/estimates")
def fixed() -> Response:
    return Response(BODY, mimetype="application/json")
