"""Shared test settings.

Hypothesis profiles: ``default`` (used by ``make test``) runs each property
100 times with no deadline, because timings on a shared 2-core machine vary.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")
