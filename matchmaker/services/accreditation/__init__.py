"""Design-centre accreditation (工业设计中心认定).

A round (``rounds``) calls for district-level applications and carries the rubric. An
organisation applies in a round with its materials — team, design investment, achievements,
portfolio cases, supporting files — or records a municipal or national recognition it holds,
with the certificate (``applications``). Administrators check completeness (returned with
what is missing, or accepted for review), seat expert reviewers from the expert pool who score
against the round's rubric (``reviews``, on the shared ``services.rubrics`` machinery), and
decide with reasons; approval grants a recognition valid for the round's years, which sets
the organisation's level and badge; recognitions expire, are reminded of before, and are
re-reviewed by a renewal application (``recognitions``). Every step is an audit event.
"""
