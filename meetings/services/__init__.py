"""Meeting services, one module per phase: scheduling, agenda, running,
closing (and action points). Each rule R1-R5, R10-R12, R17, R21, R22 lives in
exactly one of them; views, tasks and commands call these functions."""
