"""The benchmark of `make bench`: pages, API, exports and the import at 10 000 to 1 000 000
activities, against what PostgreSQL itself does with the same data (see README, "Performance").

`run.py` is the entry point (`python bench/run.py`): it refuses anything but PostgreSQL, sets
Django up and runs the sizes in turn. The other modules need Django set up before they are
imported:

- `options`: what a run does, from the environment (BENCH_SIZES, BENCH_REPEAT, ...).
- `data`: the bench's own database, created, grown to each size with COPY, dropped.
- `generator`: realistic activities over ten years, random but reproducible.
- `workload`: the people signed in, the requests measured at each size, the import.
- `measurement`: timing a request, counting its queries, its memory; the results per size.
- `floors`: the same work done by PostgreSQL alone, to compare each request with.
- `targets`: the issue's targets, each PASS, MISS or n/a at the largest size.
- `printing`: the table per size, the targets, the slowest queries and their plans.
"""
