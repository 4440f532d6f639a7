"""The weekly brand-health digest: per configured audience (``digests``), a summary of the
period's volume, sentiment, share of voice, top topics, rising themes, spikes and care KPIs,
computed from Elasticsearch (:mod:`.content`), rendered as an HTML e-mail with PNG charts and
a plain-text part (:mod:`.email_render`, :mod:`.charts`, :mod:`.text_render`) and as Slack
blocks (:mod:`.slack_render`), and sent through the outbox once per audience, period and
channel (:mod:`.notices`, :mod:`.sending`) — on its schedule by the main job
(:mod:`.sweeps`, :mod:`.schedule`) or by ``kikimimi digest send``.
"""

from kikimimi.digest.content import DigestSources, build_digest
from kikimimi.digest.notices import RenderedDigest, digest_key, digest_notices, render_digest
from kikimimi.digest.records import Digest
from kikimimi.digest.schedule import DigestPeriod, DigestSchedule
from kikimimi.digest.sending import DigestSend, send_digest
from kikimimi.digest.sweeps import DigestSweeps

__all__ = [
    "Digest",
    "DigestPeriod",
    "DigestSchedule",
    "DigestSend",
    "DigestSources",
    "DigestSweeps",
    "RenderedDigest",
    "build_digest",
    "digest_key",
    "digest_notices",
    "render_digest",
    "send_digest",
]
