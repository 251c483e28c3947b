"""Settings for the test suite: the project's settings plus a test-only app.

``tests.testapp`` holds small models that exercise core mechanisms (encrypted
fields, hash-chained ledgers, the reveal view) before any domain app uses them.
It is never installed outside the tests, so ``makemigrations`` (which reads
``bangfu.settings``) does not see it.
"""

from bangfu.settings import *  # noqa: F403
from bangfu.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

# Argon2 still (a test checks the stored hash is argon2), but cheap: hashing at the
# production cost dominated the suite's running time.
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]

# The test databases are thrown away: commits need not wait for the disk.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        "init_command": DATABASES["default"]["OPTIONS"]["init_command"] + " PRAGMA synchronous=OFF;",
    }
else:
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "options": "-c synchronous_commit=off",
    }
