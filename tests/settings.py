"""Settings for the test suite: the project's settings plus a test-only app.

``tests.testapp`` holds small models that exercise core mechanisms (encrypted
fields, hash-chained ledgers, the reveal view) before any domain app uses them.
It is never installed outside the tests, so ``makemigrations`` (which reads
``bangfu.settings``) does not see it.
"""

from bangfu.settings import *  # noqa: F403
from bangfu.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

# Argon2 still (a test checks the stored hash is argon2), but cheap: hashing at the
# production cost dominated the suite's running time.
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
