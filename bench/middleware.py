"""Bench-only: the number of database queries of a request, in a response
header, so the load generator can report queries per request."""

from __future__ import annotations

from django.db import connections

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Outermost middleware: counts every query of the request, the session's
    and the authentication's included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
