"""The ground every other package stands on: typed records, the one exception tree, the
durable mention queue, SQLite and logging helpers, index names.

It imports no stage and no application code; stages and the application import these
names from here (``from core import Mention, KikimimiError``), never from the modules.
"""

from core.errors import (
    CaseError,
    CaseNotFoundError,
    CaseTransitionError,
    ChecksumMismatchError,
    ConfigError,
    ConfigProblem,
    CrawlError,
    DeliveryError,
    DownloadError,
    ElasticsearchNodeError,
    IndexerError,
    JavaNotFoundError,
    KikimimiError,
    ModelError,
    NodeStartError,
    NotifyError,
    RecordError,
    UnknownSourceError,
)
from core.index_names import IndexNames
from core.mention_queue import MentionQueue, QueuedMention, SqliteMentionQueue
from core.records import (
    PRIORITIES,
    PRIORITY_ORDER,
    AnalyzedMention,
    Author,
    BrandMatch,
    Case,
    CaseEvent,
    CaseStatus,
    Engagement,
    Mention,
    Notice,
    NoticeKind,
    Priority,
    Sentiment,
    SentimentLabel,
    mention_id,
    parse_record,
)
from core.redaction import SecretRedactor, install_redactor, secrets_in
from core.retry_after import retry_after_seconds
from core.sqlite import open_database

__all__ = [
    "PRIORITIES",
    "PRIORITY_ORDER",
    "AnalyzedMention",
    "Author",
    "BrandMatch",
    "Case",
    "CaseError",
    "CaseEvent",
    "CaseNotFoundError",
    "CaseStatus",
    "CaseTransitionError",
    "ChecksumMismatchError",
    "ConfigError",
    "ConfigProblem",
    "CrawlError",
    "DeliveryError",
    "DownloadError",
    "ElasticsearchNodeError",
    "Engagement",
    "IndexNames",
    "IndexerError",
    "JavaNotFoundError",
    "KikimimiError",
    "Mention",
    "MentionQueue",
    "ModelError",
    "NodeStartError",
    "Notice",
    "NoticeKind",
    "NotifyError",
    "Priority",
    "QueuedMention",
    "RecordError",
    "SecretRedactor",
    "Sentiment",
    "SentimentLabel",
    "SqliteMentionQueue",
    "UnknownSourceError",
    "install_redactor",
    "mention_id",
    "open_database",
    "parse_record",
    "retry_after_seconds",
    "secrets_in",
]
