"""Configuration: the default YAML (``config/kikimimi.yaml``), the typed settings it is
loaded into, the loader that names file, field and bad value, and the state paths that
follow from the settings.

Part of the ground: it imports only :mod:`core`. Other packages import these names from
here (``from config import Settings, load_settings``).
"""

from config.loader import DEFAULT_CONFIG, config_path, load_settings
from config.notifications import (
    NOTIFICATION_TYPES,
    EmailChannelSettings,
    NotificationChannelSettings,
    SalesforceCaseSettings,
    SalesforceChannelSettings,
    SlackChannelSettings,
    WebhookChannelSettings,
    ZendeskChannelSettings,
)
from config.paths import crawl_state_path, default_cache_dir, queue_path
from config.rules import (
    AlertingSettings,
    CaseSettings,
    RuleSettings,
    SpikeSettings,
)
from config.settings import (
    DEFAULT_LANGUAGES,
    BrandSettings,
    ElasticsearchSettings,
    IndexerSettings,
    LocalNodeSettings,
    NlpSettings,
    Settings,
    TopicSettings,
)
from config.sources import (
    DEFAULT_EDITIONS,
    SOURCE_TYPES,
    AppStoreSource,
    BlueskySearchSource,
    BlueskySource,
    CrawlSettings,
    DiscourseSource,
    HackerNewsSource,
    ImportField,
    ImportSource,
    MastodonSource,
    NewsEdition,
    NewsSource,
    RedditSource,
    SchedulerSettings,
    SourceBase,
    SourceSettings,
    StackExchangeSource,
    YouTubeSource,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_EDITIONS",
    "DEFAULT_LANGUAGES",
    "NOTIFICATION_TYPES",
    "SOURCE_TYPES",
    "AlertingSettings",
    "AppStoreSource",
    "BlueskySearchSource",
    "BlueskySource",
    "BrandSettings",
    "CaseSettings",
    "CrawlSettings",
    "DiscourseSource",
    "ElasticsearchSettings",
    "EmailChannelSettings",
    "HackerNewsSource",
    "ImportField",
    "ImportSource",
    "IndexerSettings",
    "LocalNodeSettings",
    "MastodonSource",
    "NewsEdition",
    "NewsSource",
    "NlpSettings",
    "NotificationChannelSettings",
    "RedditSource",
    "RuleSettings",
    "SalesforceCaseSettings",
    "SalesforceChannelSettings",
    "SchedulerSettings",
    "Settings",
    "SlackChannelSettings",
    "SourceBase",
    "SourceSettings",
    "SpikeSettings",
    "StackExchangeSource",
    "TopicSettings",
    "WebhookChannelSettings",
    "YouTubeSource",
    "ZendeskChannelSettings",
    "config_path",
    "crawl_state_path",
    "default_cache_dir",
    "load_settings",
    "queue_path",
]
