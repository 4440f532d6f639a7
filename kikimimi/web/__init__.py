"""The care team's web app (issue 11): server-rendered pages and a JSON API under
``/api/v1`` on FastAPI, signed in with the accounts of :mod:`kikimimi.accounts`
(``docs/web.md``).

:func:`create_app` builds the app from the settings (tests pass their own accounts store
and clock); :func:`serve` runs it (``kikimimi web``). Inside, each module has one job:
``access`` (who is asking and may they: the dependencies every route declares), ``csrf``,
``cookies``, ``errors``, ``rendering``, ``security_headers``, the pages in ``pages/`` and
the API in ``api/``, the templates in ``templates/`` and the assets in ``static/``.
"""

from kikimimi.web.app import create_app
from kikimimi.web.server import serve

__all__ = ["create_app", "serve"]
