"""Diagnostic visits (诊断服务、上门服务).

requested → assigned → scheduled → reported, or cancelled before the report. An enterprise
requests a design diagnosis (``requests``), or an administrator proposes one after a survey;
the administrator assigns experts suggested by the talent matcher, never one in conflict
with the enterprise, and optionally providers for the on-site visit, then schedules the visit
(everyone is notified, with a calendar file: ``arrangements``); an assigned expert files a
structured report, and the enterprise turns each recommendation into a draft demand in one
click (``reports``). Every step is an audit event, which the statistics read.
"""
