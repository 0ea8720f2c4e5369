"""The good-design showcase (重庆好设计).

Providers submit design achievements (``entries``) to a year's selection: a won deal or a
portfolio case, with the problem, the design, measured results (sales, cost, awards) and
before/after images. Administrators open the year with its rubric, seat experts of the pool
who score the entries on the same rubric machinery as accreditation (``services.rubrics``),
shortlist the best and announce the winners (``selection``); winners make the public showcase,
searchable by cluster, service and district, are marked on the providers' profiles and are
cited in guide editions (``gallery``). Every step is an audit event.
"""
