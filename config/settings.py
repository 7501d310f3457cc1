"""Settings for the import/export hub.

Every knob is read from the environment (or a `.env` file beside `manage.py`) here and nowhere else; README and
`.env.example` document each one. The defaults run the whole product on one machine with nothing installed:
SQLite under `var/` and Celery's filesystem transport.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _path(name: str, default: Path) -> Path:
    """A folder setting; relative paths are taken from the project folder, not wherever a process started."""
    return BASE_DIR / Path(env(name, default="") or default)


VAR_DIR = _path("VAR_DIR", BASE_DIR / "var")

DEBUG = env.bool("DEBUG", default=False)

# --- Deployment -------------------------------------------------------------------------------------------------
# Production (DEBUG false) refuses to start on a key anyone can read in this file, or on host names it was not told;
# development (DEBUG=true, as `make run` sets) needs neither.
_REQUIRED_IN_PRODUCTION = {"SECRET_KEY": "a long random string", "ALLOWED_HOSTS": "the site's host names"}
_missing = [name for name in _REQUIRED_IN_PRODUCTION if not env(name, default="")]
if _missing and not DEBUG:
    raise ImproperlyConfigured(
        f"{' and '.join(_missing)} must be set when DEBUG is false (production): set "
        + " and ".join(f"{name} to {_REQUIRED_IN_PRODUCTION[name]}" for name in _missing)
        + ", or DEBUG=true on a development machine."
    )
SECRET_KEY = env("SECRET_KEY", default="") or "django-insecure-development-key-change-me"
# Keys retired by a rotation: sessions and signed links made with them stay valid until they expire.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[]) or ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# HTTPS. Off by default so that development and plain-HTTP test servers work; production turns each on (see
# .env.example). HSTS tells browsers to use HTTPS only, for this many seconds: start small, since browsers remember.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)


def _proxy_ssl_header() -> tuple[str, str] | None:
    """Behind a proxy that ends TLS, the header (as Django names it) and value by which it says a request came over
    HTTPS, e.g. `HTTP_X_FORWARDED_PROTO,https`; only for a proxy that sets or strips that header itself."""
    value = env("SECURE_PROXY_SSL_HEADER", default="")
    if not value:
        return None
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 2 or not re.fullmatch(r"HTTP_[A-Z0-9_]+", parts[0]) or not parts[1]:
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER is {value!r}; it must be a header's name as Django sees it and the value meaning "
            "HTTPS, separated by a comma, e.g. HTTP_X_FORWARDED_PROTO,https."
        )
    return parts[0], parts[1]


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()

CSRF_FAILURE_VIEW = "imports.http.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "axes",
    "companies",
    "imports",
    "customers",
    "readings",
    "salespro",
    "crm",
    "claims",
]

MIDDLEWARE = [
    # First: a request body over the cap is refused before anything reads it (imports.http.request_limits).
    "imports.http.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for too many failures into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "imports.web.context_processors.lookup_links",
                "imports.web.notices.job_notices_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url_config(env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while a worker writes; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on the busy timeout instead of failing with "database is locked" on lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
    }
    # A file, not memory, so a Celery worker started by the tests can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "companies.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "imports:job_list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = _path("STATIC_ROOT", VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# Uploads and generated reports live here. There is deliberately no MEDIA_URL route: files are only ever handed
# out by views that check the requesting user's company.
MEDIA_ROOT = _path("MEDIA_ROOT", VAR_DIR / "media")
FILE_UPLOAD_PERMISSIONS = 0o640
# Uploaded files are streamed to a temporary file, their size checked as the bytes arrive (imports.http.request_limits).
FILE_UPLOAD_HANDLERS = ["imports.http.request_limits.CappedTemporaryFileUploadHandler"]
# Django's limits on a request's form: the fields other than files (their total size), how many fields, how many
# files. A request over one is refused with a sentence naming it (JSON on the API).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=100)
# A request body may pause this long between bytes, and take this long in all, before it is refused (408), so a
# slow client cannot keep a web thread for itself.
REQUEST_BODY_IDLE_SECONDS = env.int("REQUEST_BODY_IDLE_SECONDS", default=30)
REQUEST_BODY_SECONDS = env.int("REQUEST_BODY_SECONDS", default=300)
# Files under MEDIA_ROOT that no job or upload refers to are deleted by the purge once they are this old (younger
# ones may be an upload being saved right now).
IMPORT_ORPHAN_GRACE_MINUTES = env.int("IMPORT_ORPHAN_GRACE_MINUTES", default=60)

# With a bucket named, uploads, error reports and a job's working files live in an S3-compatible object store, so
# workers on several machines need no shared disk (README "Several machines"); settings keep django-storages' names.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _encryption = env("AWS_S3_SERVER_SIDE_ENCRYPTION", default="")  # "AES256" or "aws:kms"
    _kms_key = env("AWS_S3_SSE_KMS_KEY_ID", default="")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": env("AWS_LOCATION", default=""),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
            # Unset: boto3's own chain (an instance or task role, ~/.aws) finds the credentials.
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            # Files are private and only ever handed out by the views that check the user's company: no ACL is sent
            # (AWS buckets made since 2023 refuse object ACLs; objects are private unless a bucket policy opens
            # them), or the one named here ("private" for stores that want one); no public or custom-domain URLs.
            "default_acl": env("AWS_DEFAULT_ACL", default="") or None,
            "querystring_auth": True,
            "custom_domain": None,
            "object_parameters": {
                **({"ServerSideEncryption": _encryption} if _encryption else {}),
                **({"SSEKMSKeyId": _kms_key} if _kms_key else {}),
            },
            # A job's working files are written again under the same name when a run is taken over.
            "file_overwrite": True,
            # A file read from the store spills to a temporary file past this size instead of filling memory.
            "max_memory_size": env.int("AWS_S3_MAX_MEMORY_SIZE", default=5 * 1024 * 1024),
        },
    }
# Copies of a job's files on this machine (object storage only), downloaded once and reused by every task here.
IMPORT_CACHE_DIR = _path("IMPORT_CACHE_DIR", VAR_DIR / "cache")

# --- Imports ----------------------------------------------------------------------------------------------------
IMPORT_LOG_DIR = _path("IMPORT_LOG_DIR", VAR_DIR / "logs")
IMPORT_MAX_FILE_MB = env.int("IMPORT_MAX_FILE_MB", default=10)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_000_000)
# Every file is read under these limits, checked while it streams (imports.engine.readers.limits); README lists them.
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=1_000)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32_767)
# A workbook is a ZIP archive: the sum of its members' unpacked sizes, and how many times its compressed size any one
# member may unpack to, are checked before it is opened.
IMPORT_MAX_UNZIPPED_MB = env.int("IMPORT_MAX_UNZIPPED_MB", default=1024)
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=1000)
# A job's rows are cut into chunks of this many; several workers run a job's chunks at once.
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=50_000)
# A run holding a job or a chunk refreshes its heartbeat this often, even in long steps that commit nothing
# (staging a big file, scanning, merging); work whose heartbeat is older than IMPORT_STALE_SECONDS is taken over
# (its worker is presumed dead); the sweeper looks every IMPORT_SWEEP_SECONDS. Stale plus sweep is the longest a
# job waits after its worker died or its broker lost its messages: 30 s by default. Keep the threshold a few
# heartbeats long, so a slow beat never passes for a dead worker.
IMPORT_HEARTBEAT_SECONDS = env.int("IMPORT_HEARTBEAT_SECONDS", default=5)
IMPORT_STALE_SECONDS = env.int("IMPORT_STALE_SECONDS", default=20)
IMPORT_SWEEP_SECONDS = env.int("IMPORT_SWEEP_SECONDS", default=10)
# An export or a backup commits the rows written this often: its progress bar moves at this pace, and a cancel
# stops it within this time.
EXPORT_PROGRESS_SECONDS = env.float("EXPORT_PROGRESS_SECONDS", default=1.0)
# Companies share the workers: at most this many of a company's import jobs run at once (the others wait as
# pending, oldest first), and a job keeps at most this many of its chunks queued or running, so another company's
# job never waits behind a long queue of one big job's chunks.
IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = env.int("IMPORT_MAX_RUNNING_JOBS_PER_COMPANY", default=2)
IMPORT_MAX_CHUNKS_IN_FLIGHT = env.int("IMPORT_MAX_CHUNKS_IN_FLIGHT", default=3)
IMPORT_RETENTION_DAYS = env.int("IMPORT_RETENTION_DAYS", default=30)
# Export files are deleted this many days after the export finished (the job and its log stay).
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
# What each import created and changed is kept this many days, so it can be undone; then forgotten.
IMPORT_UNDO_DAYS = env.int("IMPORT_UNDO_DAYS", default=30)
# Whether imports keep what they create and change (their changeset), which is what an undo takes back; off, an
# import writes a little faster and cannot be undone.
IMPORT_KEEP_CHANGES = env.bool("IMPORT_KEEP_CHANGES", default=True)
# A PDF is a report for people: an export of more rows is refused, with a message pointing to CSV, Excel or JSON.
EXPORT_PDF_MAX_ROWS = env.int("EXPORT_PDF_MAX_ROWS", default=10_000)

# --- Address verification -------------------------------------------------------------------------------------
# With a key, customers' service addresses are checked with Google Maps' Geocoding API after each import; without
# one they are only formatted offline (USPS style) and marked not verified.
GOOGLE_MAPS_API_KEY = env("GOOGLE_MAPS_API_KEY", default="")
# Tests point this at a local fake server; no trailing slash.
GOOGLE_MAPS_BASE_URL = env("GOOGLE_MAPS_BASE_URL", default="https://maps.googleapis.com").rstrip("/")
GOOGLE_MAPS_QUERIES_PER_SECOND = env.int("GOOGLE_MAPS_QUERIES_PER_SECOND", default=10)
# Seconds one request may take, and seconds the client keeps retrying one address (over quota, 5xx) before the
# task backs off and tries again later.
GOOGLE_MAPS_TIMEOUT = env.float("GOOGLE_MAPS_TIMEOUT", default=10.0)
GOOGLE_MAPS_RETRY_SECONDS = env.int("GOOGLE_MAPS_RETRY_SECONDS", default=60)
# Days an answer is reused before the address is looked up again.
GOOGLE_MAPS_CACHE_DAYS = env.int("GOOGLE_MAPS_CACHE_DAYS", default=30)
# Whether an import queues the check of the addresses it wrote (`manage.py verify_addresses` checks them later).
ADDRESS_VERIFICATION_AFTER_IMPORT = env.bool("ADDRESS_VERIFICATION_AFTER_IMPORT", default=True)
# Customers checked and saved together.
ADDRESS_VERIFICATION_BATCH_SIZE = env.int("ADDRESS_VERIFICATION_BATCH_SIZE", default=100)

# --- Claims look-ups --------------------------------------------------------------------------------------------
# Where a company's claims are looked up unless its claims settings (admin) say otherwise: "local", the claims
# store filled by importing the target Claim, or "payer", a payer's claim-status API over HTTPS/JSON.
CLAIMS_BACKEND = env("CLAIMS_BACKEND", default="local")
CLAIMS_API_URL = env("CLAIMS_API_URL", default="").rstrip("/")
CLAIMS_API_TOKEN = env("CLAIMS_API_TOKEN", default="")
# Real payers answer in about 1.5 s at the median, 14 s at p99, and give up near a minute: one call may take this
# many seconds (connecting: CLAIMS_API_CONNECT_TIMEOUT); what can be retried (time-outs, 429, 5xx, "payer not
# responding") is asked again up to CLAIMS_API_RETRIES times, waiting 1, 2, 4 ... s (with jitter, at most
# CLAIMS_API_BACKOFF_MAX_SECONDS, longer when the payer says Retry-After).
CLAIMS_API_TIMEOUT = env.float("CLAIMS_API_TIMEOUT", default=60.0)
CLAIMS_API_CONNECT_TIMEOUT = env.float("CLAIMS_API_CONNECT_TIMEOUT", default=5.0)
CLAIMS_API_RETRIES = env.int("CLAIMS_API_RETRIES", default=4)
CLAIMS_API_BACKOFF_SECONDS = env.float("CLAIMS_API_BACKOFF_SECONDS", default=1.0)
CLAIMS_API_BACKOFF_MAX_SECONDS = env.float("CLAIMS_API_BACKOFF_MAX_SECONDS", default=30.0)
# Look-ups of one job waiting on the payer at once, over every worker running its chunks.
CLAIMS_MAX_IN_FLIGHT = env.int("CLAIMS_MAX_IN_FLIGHT", default=10)
# Calls per second to the payer, shared by every worker and job (a token bucket in Redis when Redis is the broker,
# else in a file under VAR_DIR), with bursts of up to CLAIMS_API_BURST calls.
CLAIMS_API_RATE_PER_SECOND = env.float("CLAIMS_API_RATE_PER_SECOND", default=50.0)
CLAIMS_API_BURST = env.int("CLAIMS_API_BURST", default=20)
# An upload of claim queries over this size is refused (413).
CLAIMS_MAX_FILE_MB = env.int("CLAIMS_MAX_FILE_MB", default=10)
# The largest file any upload may carry, enforced as the request arrives (imports.http.request_limits): an import
# file within IMPORT_MAX_FILE_MB and a file of claim queries within CLAIMS_MAX_FILE_MB; each is then checked
# against its own limit.
UPLOAD_MAX_FILE_MB = env.int("UPLOAD_MAX_FILE_MB", default=max(IMPORT_MAX_FILE_MB, CLAIMS_MAX_FILE_MB))
# A look-up job running longer than this (seconds) stops, FAILED, with the results so far kept; a retry continues.
CLAIMS_JOB_TIME_LIMIT = env.int("CLAIMS_JOB_TIME_LIMIT", default=30 * 60)
# Days a finished look-up's upload and results are kept before beat deletes them.
CLAIMS_RETENTION_DAYS = env.int("CLAIMS_RETENTION_DAYS", default=30)

# --- SalesPro ---------------------------------------------------------------------------------------------------
# Rows per batch of `csv_salespro_appointments` without --batch-size (the SalesPro guide's variable); the command
# checks it and says what is wrong with it.
SALESPRO_BATCH_SIZE = env("BATCH_SIZE", default="")

# --- Celery -----------------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# The filesystem transport has no host, but kombu reads a URL without one as "localhost" and warns about it ("No
# hostname was supplied") each time it connects, which every management command printed: name that host. (Celery
# takes a CELERY_BROKER_URL from the environment as it is: write filesystem://localhost/ there too.)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://localhost/"
CELERY_BROKER_DIR = VAR_DIR / "celery"
# Nothing lost, nothing doubled: a task is acknowledged only once it has finished, and re-queued when its worker
# process dies; each worker takes one message at a time, so a dying worker strands only the task it was running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_TASK_SOFT_TIME_LIMIT + 5 * 60)
# A message a worker took but never acknowledged returns to the queue after this long: well above the hard time
# limit, so it is never handed out again while its first worker may still be running it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * CELERY_TASK_TIME_LIMIT),
}
# An unreachable broker costs a request a few seconds at most: sending a task tries three times within about a
# second, each connection attempt waits CELERY_BROKER_TIMEOUT seconds. The job stays saved and waits; the sweeper
# sends it once the broker answers again.
CELERY_BROKER_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=3.0)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.3}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        socket_connect_timeout=CELERY_BROKER_TIMEOUT, socket_timeout=max(CELERY_BROKER_TIMEOUT, 5.0)
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(CELERY_BROKER_DIR / "queue"),
        data_folder_out=str(CELERY_BROKER_DIR / "queue"),
        control_folder=str(CELERY_BROKER_DIR / "control"),
        store_processed=False,
        # An idle worker looks for new files this often (the default, a second, leaves work waiting).
        polling_interval=0.2,
    )
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # A sweep waits in the queue behind a few chunks when the workers are busy; one that waited ten periods is
    # dropped (later ones do its work), so workers back from a long outage do not run an hour of sweeps.
    "sweep-stale-jobs": {
        "task": "imports.jobs.tasks.sweep_stale_jobs",
        "schedule": IMPORT_SWEEP_SECONDS,
        "options": {"expires": 10 * IMPORT_SWEEP_SECONDS},
    },
    # Export templates whose scheduled run is due (the schedule lives on the template: imports.jobs.export_schedules).
    # A run late by a few minutes catches up by itself, so a message that waited ten minutes is dropped.
    "run-scheduled-exports": {
        "task": "imports.jobs.tasks.run_scheduled_exports",
        "schedule": 60,
        "options": {"expires": 10 * 60},
    },
    "purge-expired-job-files": {
        "task": "imports.jobs.tasks.purge_expired_job_files",
        "schedule": 6 * 60 * 60,
    },
}

# --- API --------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["companies.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rates: API_RATE_PER_TOKEN and API_RATE_PER_ADDRESS below.
    "DEFAULT_THROTTLE_CLASSES": ["companies.throttling.TokenRateThrottle", "companies.throttling.AddressRateThrottle"],
    # Django's own refusals (too many fields, a body over a limit) answer in the API's JSON shape too.
    "EXCEPTION_HANDLER": "imports.api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Import hub API",
    "DESCRIPTION": (
        "Bulk imports for integrators: upload a CSV, Excel or JSON file of utility customers, meter readings or any "
        "other importable records, poll the job until it ends, and download the rows that failed as a CSV error "
        "report; bulk look-ups (claim look-ups): upload a CSV of queries, follow the job's progress, download the "
        "results CSV; and exports: ask for a target's records with chosen columns and filters as CSV, Excel, JSON or "
        "PDF, follow the export job, download its file. Every request carries `Authorization: Bearer <token>` (the "
        "token `manage.py create_company` prints) and sees only its own company's jobs."
    ),
    "VERSION": "1.0.0",
    # The docs group operations by the path's first part; these say what each group is for.
    "TAGS": [
        {"name": "customers", "description": "Utility customers, as the FlowTrack customer import guide describes "
                                             "them (target Customer)."},
        {"name": "readings", "description": "Meter readings, as the guide's meter reading import describes them "
                                            "(target MeterReading)."},
        {"name": "claims", "description": "Healthcare claims, as the claims CSV bulk upload guide describes them: "
                                          "look claims up in bulk from a CSV of claim queries (/api/v1/claims/), "
                                          "and fill the company's local claims store by importing a claims file "
                                          "(target Claim)."},
        {"name": "imports", "description": "Any importable target, named in the upload; the company's recent jobs "
                                           "of every target; what can be imported, with its columns."},
        {"name": "exports", "description": "Exports of any target as CSV, Excel, JSON or PDF: the columns and filters "
                                           "a target offers, a preview, export jobs (started, followed, cancelled) "
                                           "and their files."},
    ],
    # The schema and its docs are public: they describe the API's shape and hold no company's data, and an
    # integrator reads them before having a token (the docs' Authorize button then takes one to try requests).
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The schema's own endpoint is left out of the schema: it describes the import API only.
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's scripts and styles come from drf-spectacular-sidecar's static files, not from a CDN, so the docs
    # work on machines without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The token given to the docs' Authorize button survives a reload of the page.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True},
    # An uploaded file is binary in a request; separate request components describe it so (drf-spectacular's
    # advice for file uploads).
    "COMPONENT_SPLIT_REQUEST": True,
    # The enums' values explain themselves; the fields' help texts say what each means.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # Every operation may answer 429 (the throttles); drf-spectacular's own hook for enums stays.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "imports.api.schema_hooks.throttled_answers",
        "imports.api.schema_hooks.lookup_tags",
    ],
    # The import API's statuses are lower case (the customer import guide's), the look-ups' upper case (the claims
    # guide's): two enums, each named for what it is.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "imports.api.statuses.API_STATUS_WORDS",
        "LookupStatusEnum": "imports.api.lookup_statuses.LOOKUP_STATUS_WORDS",
        "FilterOperatorEnum": "imports.api.export_serializers.FILTER_OPERATORS",
    },
}

# --- Throttling and sign-in lock-out --------------------------------------------------------------------------


def _rate(name: str, default: str) -> str:
    """A request rate such as `120/minute`, checked here so a typo stops start-up instead of every request."""
    value = env(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", value):
        raise ImproperlyConfigured(
            f"{name} is {value!r}; it must be a number of requests per second, minute, hour or day, e.g. 120/minute."
        )
    return value


# Proxies in front of the app that append the client's address to X-Forwarded-For (0: none, the address is the
# connection's). Throttles and the sign-in lock-out count per address; with 0, a client cannot pick its own address.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# The API's throttles (companies.throttling), read at each request. A request over a rate answers 429 with
# Retry-After. Integrators polling a job once a second use half of the token rate; several share an address.
API_RATE_PER_TOKEN = _rate("API_RATE_PER_TOKEN", "120/minute")
API_RATE_PER_ADDRESS = _rate("API_RATE_PER_ADDRESS", "300/minute")
# Requests with a wrong token from one address, after which every API request from there waits (429).
API_FAILED_AUTHENTICATIONS_PER_ADDRESS = _rate("API_FAILED_AUTHENTICATIONS_PER_ADDRESS", "20/minute")
# Throttle counts must be shared by every web process: Redis when there is one, else this process's memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "imports-cache",
            # An unreachable Redis costs a request at most this long; the throttles then let requests through.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sign-in lock-out (django-axes), on the sign-in page and the admin's: after LOGIN_FAILURE_LIMIT wrong passwords for
# one username from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES (each further try restarts the
# wait). Keyed by username and address together, so an attacker cannot lock a user out of every other address.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.float("LOGIN_LOCKOUT_MINUTES", default=15)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Callables, so the two settings above are read at each sign-in (and tests can change them).
AXES_FAILURE_LIMIT = "companies.lockout.failure_limit"
AXES_COOLOFF_TIME = "companies.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "companies.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "companies.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True

# --- Logging ----------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

for directory in (VAR_DIR, STATIC_ROOT, MEDIA_ROOT, IMPORT_LOG_DIR, CELERY_BROKER_DIR / "queue"):
    directory.mkdir(parents=True, exist_ok=True)
