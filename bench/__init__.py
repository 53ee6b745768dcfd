"""`make bench` (issue 8, item 5): the load test of the pages on PostgreSQL
and the batch jobs. Bench-only code: nothing here is imported by the product
(``smo.settings_bench`` and ``smo.urls_bench`` plug it in)."""
