"""Settings for bangfu, read from the environment.

DATABASE_URL   PostgreSQL in production; SQLite under var/ when unset.
BANGFU_SQLITE_PATH  another SQLite file than var/bangfu.sqlite3 (when DATABASE_URL is unset).
SECRET_KEY     Django's signing key; generated under var/ for development when unset.
BANGFU_DATA_KEY  base64 key for sensitive personal data; generated under var/ when unset.
BANGFU_DEBUG   "1" turns on debug pages (never in production).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("BANGFU_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _dev_secret(filename: str, make) -> str:
    """A per-installation secret kept under var/ (never committed) for development."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret("secret_key", lambda: secrets.token_urlsafe(50))
DEBUG = _env_bool("BANGFU_DEBUG")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "bangfu.core",
    "bangfu.regions",
    "bangfu.accounts",
    "bangfu.audit",
    "bangfu.attachments",
    "bangfu.imports",
    "bangfu.registry",
    "bangfu.consumption",
    "bangfu.consumption.campaigns",
    "bangfu.supermarket",
    "bangfu.fieldwork",
    "bangfu.assistance",
    "bangfu.monitoring",
    "bangfu.reports",
    "bangfu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangfu.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "bangfu.urls"
WSGI_APPLICATION = "bangfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bangfu.core.context_processors.navigation_menu",
            ],
        },
    },
]

# BANGFU_SQLITE_PATH points a process at another SQLite file (tests hand a subprocess the test database).
SQLITE_PATH = Path(os.environ.get("BANGFU_SQLITE_PATH") or VAR_DIR / "bangfu.sqlite3")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["bangfu.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out: this many failed logins within the window locks the account for the window.
BANGFU_LOCKOUT_ATTEMPTS = int(os.environ.get("BANGFU_LOCKOUT_ATTEMPTS", "5"))
BANGFU_LOCKOUT_MINUTES = int(os.environ.get("BANGFU_LOCKOUT_MINUTES", "15"))

# Sensitive personal data: AES-GCM encryption and HMAC lookup keys derive from this one key.
BANGFU_DATA_KEY = os.environ.get("BANGFU_DATA_KEY") or _dev_secret(
    "data_key", lambda: __import__("base64").urlsafe_b64encode(secrets.token_bytes(32)).decode()
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Attachments (photos, documents, vouchers): the largest file accepted of each kind, in MB.
BANGFU_UPLOAD_MAX_PHOTO_MB = int(os.environ.get("BANGFU_UPLOAD_MAX_PHOTO_MB", "10"))
BANGFU_UPLOAD_MAX_DOCUMENT_MB = int(os.environ.get("BANGFU_UPLOAD_MAX_DOCUMENT_MB", "20"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("BANGFU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BANGFU_LOG_LEVEL", "WARNING")},
}
