"""A request body sent without a length (chunked) is held to MAX_CONTENT_LENGTH as a whole.

werkzeug limits such a body by reading it only up to ``MAX_CONTENT_LENGTH`` and handing the
view what it read, so a longer body arrived cut short, and was saved. This middleware reads
it first, one byte past the limit, and hands the app an ordinary body of known length: a body
over the limit then gets werkzeug's own 413 (from that length) the moment anything reads the
form, before any view runs, and none of it is used.

It acts only where the server ends the stream itself (``wsgi.input_terminated``, as gunicorn
and werkzeug's server do); werkzeug reads no chunked body from any other server.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import LimitedStream

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class StreamedBodyLimit:
    """WSGI middleware: buffer a chunked body up to the limit (plus one byte) before the app."""

    def __init__(self, wsgi_app: WSGIApplication, config: Mapping[str, Any]) -> None:
        self.wsgi_app = wsgi_app
        self.config = config  # the app's own, read per request like the app reads it

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        limit = self.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and _streamed(environ):
            try:
                body = LimitedStream(environ["wsgi.input"], limit + 1, is_max=True).read()
            except ClientDisconnected as gone:
                return gone(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.wsgi_app(environ, start_response)


def _streamed(environ: WSGIEnvironment) -> bool:
    return (
        bool(environ.get("wsgi.input_terminated"))
        and "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    )
