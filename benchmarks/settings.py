"""The production settings plus one extra route: the ceiling view for benchmarks/load.py."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
