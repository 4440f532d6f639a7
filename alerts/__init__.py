"""The alerting stage: rules over analysed mentions, cases, spike alerts, notifications, KPIs.

Public interface: :class:`RuleEngine` and its :class:`Decision`; :class:`CaseStore`
(cases in Elasticsearch); :class:`SpikeDetector`; the notices made from them
(:func:`case_notices`, :func:`feed_notices`, :func:`spike_notices`); the durable
:class:`Outbox` and its channels (:func:`build_channels`); KPIs (:func:`kpi_report`,
:func:`render_table`, :func:`write_report`).
"""

from alerts.cases import CaseStore
from alerts.kpi_queries import kpi_report
from alerts.kpis import KpiReport
from alerts.notices import case_notices, feed_notices, spike_notices
from alerts.notify import Channel, Outbox, build_channels
from alerts.report import render_table, write_report
from alerts.rules import Decision, RuleEngine
from alerts.spikes import SpikeDetector

__all__ = [
    "CaseStore",
    "Channel",
    "Decision",
    "KpiReport",
    "Outbox",
    "RuleEngine",
    "SpikeDetector",
    "build_channels",
    "case_notices",
    "feed_notices",
    "kpi_report",
    "render_table",
    "spike_notices",
    "write_report",
]
