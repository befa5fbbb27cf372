"""Hypothesis settings: modest example counts so the suite stays fast; fixed examples under CI.

Choose a profile with HYPOTHESIS_PROFILE=dev|ci|thorough (CI=true picks ci).
"""

import os

from hypothesis import HealthCheck, settings

COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=60, **COMMON)
settings.register_profile("ci", max_examples=60, derandomize=True, print_blob=True, **COMMON)
settings.register_profile("thorough", max_examples=2000, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))
