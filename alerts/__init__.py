"""The alerting stage: rules over analysed mentions, cases, spike alerts, notifications, KPIs.

Public interface: :class:`RuleEngine` and its :class:`Decision`; :class:`CaseStore`
(cases in Elasticsearch: grouping, case work, the inbox with its :class:`CaseQuery` and
:class:`CasePage`, :func:`case_author_key`); the SLA sweep (:class:`SlaSweep`, its
:class:`SweepReport`, the :class:`NoticeSink` it fills); :class:`SpikeDetector` and where it
keeps its state (:class:`FileSpikeState`, :class:`RedisSpikeState`); the
notices made from them (:func:`case_notices`, :func:`escalation_notices`,
:func:`feed_notices`, :func:`spike_notices`); the durable :class:`Outbox` (a
:class:`SqliteOutbox` or a :class:`RedisOutbox`) and its channels (:func:`build_channels`);
KPIs (:func:`kpi_report`, :func:`care_tiles`, :func:`render_table`, :func:`write_report`).
"""

from alerts.case_work import case_author_key
from alerts.cases import CaseStore
from alerts.escalation import NoticeSink, SlaSweep, SweepReport
from alerts.inbox import CasePage, CaseQuery, CaseSort
from alerts.kpi_queries import kpi_report
from alerts.kpis import KpiReport
from alerts.notices import case_notices, escalation_notices, feed_notices, spike_notices
from alerts.notify import Channel, Outbox, RedisOutbox, SqliteOutbox, build_channels
from alerts.report import care_tiles, render_table, write_report
from alerts.rules import Decision, RuleEngine
from alerts.spike_state import FileSpikeState, RedisSpikeState, SpikeState
from alerts.spikes import SpikeDetector

__all__ = [
    "CasePage",
    "CaseQuery",
    "CaseSort",
    "CaseStore",
    "Channel",
    "Decision",
    "FileSpikeState",
    "KpiReport",
    "NoticeSink",
    "Outbox",
    "RedisOutbox",
    "RedisSpikeState",
    "RuleEngine",
    "SlaSweep",
    "SpikeDetector",
    "SpikeState",
    "SqliteOutbox",
    "SweepReport",
    "build_channels",
    "care_tiles",
    "case_author_key",
    "case_notices",
    "escalation_notices",
    "feed_notices",
    "kpi_report",
    "render_table",
    "spike_notices",
    "write_report",
]
