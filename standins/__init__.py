"""Local stand-ins of the sources and the channels, for tests, the demo and benchmarks only.

Each is a server on 127.0.0.1 that answers in its service's real, documented format and
checks requests as the service does: the sources from a list of sample posts
(:class:`StandinPost`), the channels by recording what they accept. Most are request
handlers served by :class:`StandinServer`; :class:`JetstreamStandin` (WebSocket) and
:class:`SmtpStandin` run their own servers. Each can inject faults (429 with Retry-After,
5xx, malformed bodies). One module per source or channel; no product package imports this.
"""

from standins.appstore import AppStoreStandin
from standins.bluesky_search import BlueskySearchStandin
from standins.discourse import DiscourseStandin
from standins.hackernews import HackerNewsStandin
from standins.jetstream import (
    JetstreamStandin,
    account_event,
    delete_event,
    did_of,
    identity_event,
    post_event,
    tid,
)
from standins.kibana import KIBANA_TYPE_VERSIONS, KibanaStandin
from standins.mastodon import MastodonStandin
from standins.news import NewsStandin
from standins.reddit import RedditStandin
from standins.salesforce import INVALID_SESSION, SalesforceStandin
from standins.server import (
    Reply,
    Request,
    StandinPost,
    StandinServer,
    malformed_json,
    server_error,
    too_many_requests,
)
from standins.slack import SlackSink, slack_block_problems
from standins.smtp import ReceivedMail, SmtpStandin
from standins.stackexchange import StackExchangeStandin, api_error, gzipped
from standins.text import html_to_text
from standins.webhook import WebhookSink
from standins.youtube import YouTubeStandin
from standins.zendesk import ZendeskStandin

__all__ = [
    "INVALID_SESSION",
    "KIBANA_TYPE_VERSIONS",
    "AppStoreStandin",
    "BlueskySearchStandin",
    "DiscourseStandin",
    "HackerNewsStandin",
    "JetstreamStandin",
    "KibanaStandin",
    "MastodonStandin",
    "NewsStandin",
    "ReceivedMail",
    "RedditStandin",
    "Reply",
    "Request",
    "SalesforceStandin",
    "SlackSink",
    "SmtpStandin",
    "StackExchangeStandin",
    "StandinPost",
    "StandinServer",
    "WebhookSink",
    "YouTubeStandin",
    "ZendeskStandin",
    "account_event",
    "api_error",
    "delete_event",
    "did_of",
    "gzipped",
    "html_to_text",
    "identity_event",
    "malformed_json",
    "post_event",
    "server_error",
    "slack_block_problems",
    "tid",
    "too_many_requests",
]
