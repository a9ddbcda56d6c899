"""Caching, in one room: what is cached, how it learns it is stale, and Redis itself.

- ``redis_cache``: Django's Redis cache backend, reusing its client and carrying on
  when Redis is down;
- ``generations``: the stamps that make a cached rendering a miss once what it shows
  has changed;
- ``user_cache``: a user's ``/today/`` and summary; ``patient_lists``: a clinician's
  patient list;
- ``invalidation``: what each change makes stale, the one place that says so.
"""
