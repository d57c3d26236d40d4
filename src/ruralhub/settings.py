"""Django settings, all taken from the environment.

RURALHUB_DATA     folder for the embedded database and the secret key (default ./ruralhub-data)
DATABASE_URL      e.g. postgres://postgres@127.0.0.1:5432/ruralhub; default SQLite in RURALHUB_DATA
RURALHUB_DEBUG    "1" for development
RURALHUB_HOSTS    comma-separated allowed host names (default localhost,127.0.0.1)
RURALHUB_HTTPS    "1" behind an HTTPS reverse proxy: secure cookies, HSTS, the X-Forwarded-Proto header
RURALHUB_CSRF_ORIGINS  comma-separated trusted origins for forms, e.g. https://ds.suichang.gov.cn
RURALHUB_SQLITE_TIMEOUT  seconds a SQLite writer waits for the write lock (default 30)
SECRET_KEY        overrides the key kept in RURALHUB_DATA/secret_key
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RURALHUB_DATA", "ruralhub-data")).resolve()


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("RURALHUB_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("RURALHUB_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_filters",
    "import_export",
    "simple_history",
    "ruralhub.core",
    "ruralhub.regions",
    "ruralhub.accounts",
    "ruralhub.programs",
    "ruralhub.network",
    "ruralhub.dashboard",
    "ruralhub.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ruralhub.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ruralhub.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "ruralhub.urls"
WSGI_APPLICATION = "ruralhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ruralhub.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'ruralhub.sqlite3'}",
        conn_max_age=int(os.environ.get("RURALHUB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several station operators post in the same minute. WAL lets readers go on while one writer writes;
    # IMMEDIATE makes every transaction take the write lock when it begins, so two writers queue on the
    # busy timeout instead of one failing with "database is locked" when a read turns into a write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("RURALHUB_SQLITE_TIMEOUT", "30")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "figures": per-process memory for aggregates (coverage, target progress) keyed by the generation of
# the records behind them (core.cache), so a change in one worker process is seen by all at once.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ruralhub.accounts.backends.PasswordBackend",
    "ruralhub.core.roles.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# 登录锁定: five wrong passwords lock the username for an hour, from whatever address (a guesser
# who changes address must not get five more tries); a locked user's API tokens stop working too.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes would also count failures per address; a county office or a township behind one NAT address
# would then be locked out together by one person's typos, so the username alone is the rule here.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # `collectstatic` target; whitenoise expects it to exist
# whitenoise serves straight from the package's static folders, so the demo needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Behind HTTPS (a reverse proxy terminating TLS): RURALHUB_HTTPS=1, and the public origins, e.g.
# RURALHUB_CSRF_ORIGINS=https://ds.suichang.gov.cn. `ruralhub check --deploy` is then clean.
HTTPS = os.environ.get("RURALHUB_HTTPS", "") == "1"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("RURALHUB_CSRF_ORIGINS", "").split(",") if o]
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("RURALHUB_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RURALHUB_LOG_LEVEL", "WARNING")},
}
