"""Test settings: the production module, with only what tests need overridden."""

import os

os.environ.setdefault("OCOP_ENV", "test")
os.environ.setdefault("OCOP_TASKS_BACKEND", "immediate")
os.environ.setdefault("OCOP_DATA_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "ocop-test-data"))

from ocop.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = []
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# No persistent connections: the test database must be droppable when the run ends.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tests roll back their writes, and a rolled-back data version comes round again: tests that
# mean to exercise the dashboards' cache turn it on themselves.
OCOP_DASHBOARD_CACHE_SECONDS = 0
# No background thread: tests run periodic work themselves (ocop.jobs.periodic.run_due).
OCOP_BACKGROUND_THREAD = False
