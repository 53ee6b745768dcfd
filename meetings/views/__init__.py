"""Views of the meetings app, one module per phase:

- ``scheduling``: "Mijn overleggen", planning, changing and cancelling a
  meeting, and preparing its agenda (R1-R4, R8, R12, R20);
- ``running``: the meeting itself (vergadermodus);
- ``followup``: what comes after it (minutes, action points, follow-ups).

Each module defines its own ``urlpatterns``; meetings/urls.py joins them.
Views are thin: forms parse, meetings.services decides.
"""
