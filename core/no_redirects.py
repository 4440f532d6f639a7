"""An urllib redirect handler that follows nothing: a 3xx reaches the caller as an HTTPError.

Used where a redirect could carry credentials or a signed body to another host (webhooks,
Kibana).
"""

from __future__ import annotations

import urllib.request


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect (``urllib.request.build_opener(NoRedirects, ...)``)."""

    def redirect_request(  # noqa: PLR0917 (urllib's signature)
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> None:
        return None  # the 3xx reaches the caller as an HTTPError
