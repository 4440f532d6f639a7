"""One spider per polled source; see :mod:`crawlers.registry`."""
