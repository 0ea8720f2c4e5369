"""Cluster common needs (集群共性需求).

The platform finds groups of similar open demands from different enterprises of one cluster
(``detection``, with ``search.grouping``: the design matcher's meaning and service signals,
at a threshold the administrator sets). An administrator turns a group into a common-need
project with a shared brief (``projects``); each enterprise of the group is asked and takes
part only once it opts in — until then it appears nowhere in the project. Providers are
ranked by the matcher for the whole group and invited; they answer, the administrator
chooses one for the group, and the outcome (won with its contract value, or closed) is
recorded (``answers``). The project has its own conversation (``conversation``). Providers
never learn which enterprises take part until they are chosen. Guide editions list the common
needs per cluster. Every step is an audit event.
"""
