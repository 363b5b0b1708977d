"""Settings come from environment variables with safe embedded defaults.

No variables set -> SQLite in var/ and a Celery broker on the filesystem (no server needed).
DATABASE_URL / REDIS_URL -> PostgreSQL / Redis. LIAISON_PRODUCTION=1 -> hardened settings.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
if os.environ.get("PYTEST_VERSION") and not os.environ.get("LIAISON_VAR_DIR"):
    # under pytest: never the development database, broker folder or media of `make run`
    import tempfile

    os.environ["LIAISON_VAR_DIR"] = tempfile.mkdtemp(prefix="liaison-test-var-")
VAR_DIR = Path(os.environ.get("LIAISON_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)


def env_bool(name, default=False):
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


PRODUCTION = env_bool("LIAISON_PRODUCTION")
# Debug pages only when asked for (LIAISON_DEBUG=1; DJANGO_DEBUG=1 is the older name): `make run` shows the
# portal's own error pages, not Django's list of URL patterns.
DEBUG = env_bool("LIAISON_DEBUG") or env_bool("DJANGO_DEBUG")

if PRODUCTION:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # no default in production: fail loudly
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# tries of the public signed-document check per client address: "count/seconds"
VERIFY_RATE = os.environ.get("VERIFY_RATE", "30/600")

# The project's apps come first: their translations take precedence over Django's own (the admin
# translates "Filter" as 过滤器; the issue list wants 筛选).
INSTALLED_APPS = [
    "liaison",
    "meetings",
    "followups",
    "records",
    "assessment",
    "api",
    "search",
    "seeding",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liaison.middleware.IdleTimeoutMiddleware",
    # in place of Django's LocaleMiddleware: the account's language, else the cookie, else Chinese
    "liaison.language.LanguageMiddleware",
    # a body over the limit is a 413 before anything reads it (JSON in the API's error shape)
    "liaison.middleware.RequestSizeMiddleware",
    # early, before any view: NUL and other control characters in the path, query or form are a 400
    # (in the language just chosen), never a database error
    "liaison.middleware.ControlCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # a form or API POST sent twice runs once (the form's one-time token, the Idempotency-Key header)
    "liaison.submit_once.SubmitOnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "liaison.middleware.DatabaseErrorMiddleware",
    # axes must be last: it turns a locked-out login into a clear page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

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
                "liaison.context_processors.portal",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "liaison.sqlite3",
            # web, worker and beat share the file: WAL and IMMEDIATE avoid "database is locked"
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "liaison.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures per (username, address) lock for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the client's address behind the proxy (LIAISON_TRUSTED_PROXIES below), the same for every limit
AXES_CLIENT_IP_CALLABLE = "liaison.clientip.client_ip"
# The reverse proxies in front of gunicorn (addresses or networks, comma-separated): only from them is
# X-Forwarded-For believed (liaison/clientip.py); empty = the header is ignored.
LIAISON_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("LIAISON_TRUSTED_PROXIES", "").split(",") if p.strip()]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- i18n / time --------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
FORMAT_MODULE_PATH = ["liaison.formats"]

# --- static & media -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: downloads go through scoped views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without LIAISON_PRODUCTION nothing is collected: WhiteNoise serves the apps' static folders as they are,
# also with DEBUG off (runserver's own static handler serves only under DEBUG).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Request bodies (issue 22, row 10): a JSON or form body over REQUEST_MAX_BODY_BYTES, a multipart upload over
# REQUEST_MAX_UPLOAD_BODY_BYTES is answered 413 before any view reads it (liaison.middleware.RequestSizeMiddleware);
# the upload limit is the file limit plus room for the form's fields, the same as the proxy's client_max_body_size.
REQUEST_MAX_BODY_BYTES = int(os.environ.get("REQUEST_MAX_BODY_BYTES", "1000000"))
REQUEST_MAX_UPLOAD_BODY_BYTES = int(
    os.environ.get("REQUEST_MAX_UPLOAD_BODY_BYTES", str(UPLOAD_MAX_BYTES + 2 * 1024 * 1024))
)
# the same bound for a body whose length was not announced (Django counts what it reads; files excluded)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- sessions & security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
IDLE_TIMEOUT_SECONDS = int(os.environ.get("IDLE_TIMEOUT_SECONDS", str(30 * 60)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- email -----------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "liaison@localhost")

# --- celery ------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Only the beat holding a lock schedules (a Redis key on the broker when REDIS_URL is set, an fcntl lock
# on VAR_DIR/celerybeat.lock with the filesystem broker): a second beat started by mistake waits.
CELERY_BEAT_SCHEDULER = "liaison.beat_lock.LockedScheduler"


# Periodic jobs: each app lists its own in <app>/beat.py (SCHEDULE); each job is a thin task
# calling a plain function that is safe to run twice.
def _beat_schedule():
    from importlib import import_module

    schedule = {}
    for app in ("liaison", "meetings", "followups", "records", "assessment"):
        try:
            schedule.update(import_module(f"{app}.beat").SCHEDULE)
        except ModuleNotFoundError:
            pass
    return schedule


CELERY_BEAT_SCHEDULE = _beat_schedule()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Panels on the home page, one function per app: panel(request, now) -> {"template": ..., ...} or None
HOME_PANELS = ["meetings.home.panel", "followups.home.panel", "records.home.panel", "assessment.home.panel"]
CSRF_FAILURE_VIEW = "liaison.errors.csrf_failure"
AXES_VERBOSE = False

# --- JSON API (api/) ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "api.exceptions.handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "liaison API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "MeetingStatusEnum": "meetings.models.Meeting.Status",
    "IssueStatusEnum": "followups.models.Issue.Status",
    "SignoffStatusEnum": "records.models.SignoffRequest.Status",
    "IssueSourceEnum": "followups.models.Source",
    "SignoffSourceEnum": "records.models.SignoffRequest.Source",
    "OutsideBodyKindEnum": "followups.models.OutsideBody.Kind",
    "CommitteeKindEnum": "liaison.models.Committee.Kind",
}
if REDIS_URL and not os.environ.get("PYTEST_VERSION"):
    # one cache for every gunicorn worker: exact per-token API rate limits (tests keep the per-process
    # default so runs never see each other's counters)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
