"""Kikimimi (聞き耳): social listening and customer-care alerting — the application layer.

The only place where the stages (``crawlers``, ``nlp``, ``indexer``, ``alerts``) are wired
together: the CLI, the wiring of parts from settings, the pipeline, the main job, the
crawl scheduler and the demo. What the stages share lives in the ground packages ``core``
and ``config``; see ``docs/architecture.md``.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
