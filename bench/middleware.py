"""Bench-only: the number of database queries of a request, in a response
header, so the load generator can report queries per request; and, in a
second header, how many of them wrote the session (the idle end, moved at
most once a minute: smo.middleware.IdleSessionMiddleware)."""

from __future__ import annotations

from django.db import connections

HEADER = "X-Bench-Queries"
SESSION_HEADER = "X-Bench-Session-Writes"


class QueryCountMiddleware:
    """Outermost middleware: counts every query of the request, the session's
    and the authentication's included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = session_writes = 0

        def counter(execute, sql, params, many, context):
            nonlocal count, session_writes
            count += 1
            if sql.lstrip().upper().startswith(("UPDATE", "INSERT")) and '"django_session"' in sql:
                session_writes += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response[HEADER] = str(count)
        response[SESSION_HEADER] = str(session_writes)
        return response
