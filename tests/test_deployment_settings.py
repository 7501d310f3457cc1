"""Production settings: they refuse to start without a key and host names, every warning of `check --deploy` is
fixed from the environment, and .env.example's production values pass it without a warning."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

A_KEY = "a-key-for-these-tests-only-" + "x1y2z3" * 5

PRINT_DEPLOYMENT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG, "secret_key": s.SECRET_KEY, "fallbacks": s.SECRET_KEY_FALLBACKS,
    "allowed_hosts": s.ALLOWED_HOSTS, "ssl_redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS,
    "hsts_subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "hsts_preload": s.SECURE_HSTS_PRELOAD,
    "session_cookie_secure": s.SESSION_COOKIE_SECURE, "csrf_cookie_secure": s.CSRF_COOKIE_SECURE,
    "proxy_ssl_header": s.SECURE_PROXY_SSL_HEADER, "num_proxies": s.NUM_PROXIES,
    "rates": [s.API_RATE_PER_TOKEN, s.API_RATE_PER_ADDRESS, s.API_FAILED_AUTHENTICATIONS_PER_ADDRESS],
    "login": [s.LOGIN_FAILURE_LIMIT, s.LOGIN_LOCKOUT_MINUTES], "cache": s.CACHES["default"],
}))
"""


def run_python(args: list[str], tmp_path, **environment) -> subprocess.CompletedProcess:
    """A fresh process of the project with only these variables set (and its own VAR_DIR): nothing of the test run
    (pytest-env's key and hosts, variables other tests set) or of a developer's shell leaks in."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VAR_DIR": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    return subprocess.run([sys.executable, *args], cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True,
                          timeout=120)


def deployment_settings(tmp_path, **environment) -> dict:
    started = run_python(["-c", PRINT_DEPLOYMENT_SETTINGS], tmp_path, **environment)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


def refusal(tmp_path, **environment) -> str:
    """The last line a server process prints when the settings refuse to start: `manage.py check`, as gunicorn, a
    worker or any command would."""
    started = run_python(["manage.py", "check"], tmp_path, **environment)
    assert started.returncode != 0
    return started.stderr.strip().splitlines()[-1]


def env_example() -> dict:
    """The variables .env.example sets, read as `.ci/run` reads them: sourced by the shell."""
    printed = subprocess.run(
        ["bash", "-c", "set -a; . ./.env.example; set +a; env -0"], cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, check=True,
    )
    variables = dict(entry.split("=", 1) for entry in printed.stdout.decode().split("\0") if "=" in entry)
    return {key: value for key, value in variables.items() if key not in {"PATH", "PWD", "SHLVL", "_", "OLDPWD"}}


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"ALLOWED_HOSTS": "imports.example.com"},
         "SECRET_KEY must be set when DEBUG is false (production): set SECRET_KEY to a long random string, or "
         "DEBUG=true on a development machine."),
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "imports.example.com"},
         "SECRET_KEY must be set when DEBUG is false (production): set SECRET_KEY to a long random string, or "
         "DEBUG=true on a development machine."),
        ({"SECRET_KEY": A_KEY},
         "ALLOWED_HOSTS must be set when DEBUG is false (production): set ALLOWED_HOSTS to the site's host names, "
         "or DEBUG=true on a development machine."),
        ({"DEBUG": "false"},
         "SECRET_KEY and ALLOWED_HOSTS must be set when DEBUG is false (production): set SECRET_KEY to a long "
         "random string and ALLOWED_HOSTS to the site's host names, or DEBUG=true on a development machine."),
    ],
    ids=["no-key", "empty-key", "no-hosts", "neither"],
)
def test_production_refuses_to_start_without_a_key_and_host_names(tmp_path, environment, message):
    assert refusal(tmp_path, **environment) == f"django.core.exceptions.ImproperlyConfigured: {message}"


def test_development_starts_with_nothing_set(tmp_path):
    values = deployment_settings(tmp_path, DEBUG="true")

    assert values["debug"] is True
    assert values["secret_key"] == "django-insecure-development-key-change-me"
    assert values["allowed_hosts"] == ["localhost", "127.0.0.1", "[::1]"]


def test_production_defaults_keep_plain_http_working_and_share_nothing_without_redis(tmp_path):
    values = deployment_settings(tmp_path, SECRET_KEY=A_KEY, ALLOWED_HOSTS="imports.example.com")

    assert (values["secret_key"], values["allowed_hosts"]) == (A_KEY, ["imports.example.com"])
    assert values["ssl_redirect"] is values["session_cookie_secure"] is values["csrf_cookie_secure"] is False
    assert (values["hsts"], values["proxy_ssl_header"], values["num_proxies"]) == (0, None, 0)
    assert values["rates"] == ["120/minute", "300/minute", "20/minute"]
    assert values["login"] == [5, 15]
    assert values["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_every_deployment_setting_is_read_from_the_environment(tmp_path):
    values = deployment_settings(
        tmp_path, SECRET_KEY=A_KEY, SECRET_KEY_FALLBACKS="old-key-1,old-key-2", ALLOWED_HOSTS="a.example,b.example",
        SECURE_SSL_REDIRECT="true", SECURE_HSTS_SECONDS="3600", SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true", SESSION_COOKIE_SECURE="true", CSRF_COOKIE_SECURE="true",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", NUM_PROXIES="2", API_RATE_PER_TOKEN="10/second",
        API_RATE_PER_ADDRESS="1000/hour", API_FAILED_AUTHENTICATIONS_PER_ADDRESS="50/day", LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="60", REDIS_URL="redis://cache.example:6379/3",
    )

    assert values["fallbacks"] == ["old-key-1", "old-key-2"]
    assert values["allowed_hosts"] == ["a.example", "b.example"]
    assert (values["ssl_redirect"], values["hsts"], values["hsts_subdomains"], values["hsts_preload"]) == (
        True, 3600, True, True)
    assert (values["session_cookie_secure"], values["csrf_cookie_secure"]) == (True, True)
    assert (values["proxy_ssl_header"], values["num_proxies"]) == (["HTTP_X_FORWARDED_PROTO", "https"], 2)
    assert values["rates"] == ["10/second", "1000/hour", "50/day"]
    assert values["login"] == [3, 60]
    assert (values["cache"]["BACKEND"], values["cache"]["LOCATION"]) == (
        "django.core.cache.backends.redis.RedisCache", "redis://cache.example:6379/3")


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"},
         "SECURE_PROXY_SSL_HEADER is 'X-Forwarded-Proto'; it must be a header's name as Django sees it and the value "
         "meaning HTTPS, separated by a comma, e.g. HTTP_X_FORWARDED_PROTO,https."),
        ({"API_RATE_PER_TOKEN": "120 per minute"},
         "API_RATE_PER_TOKEN is '120 per minute'; it must be a number of requests per second, minute, hour or day, "
         "e.g. 120/minute."),
    ],
    ids=["proxy-header", "rate"],
)
def test_a_malformed_setting_stops_start_up_with_what_it_must_look_like(tmp_path, environment, message):
    line = refusal(tmp_path, SECRET_KEY=A_KEY, ALLOWED_HOSTS="imports.example.com", **environment)

    assert line == f"django.core.exceptions.ImproperlyConfigured: {message}"


def check_deploy(tmp_path, **environment) -> subprocess.CompletedProcess:
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **environment)


def test_env_example_passes_check_deploy_without_a_warning(tmp_path):
    """What `.ci/run` checks: .env.example's production values, with a key of the operator's (it holds none)."""
    variables = env_example()

    checked = check_deploy(tmp_path, **{**variables, "SECRET_KEY": secrets.token_urlsafe(50)})

    assert variables["SECRET_KEY"] == ""  # a copied file refuses to start until a key is set
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues (0 silenced)." in checked.stdout


def test_check_deploy_warns_without_the_security_settings(tmp_path):
    """The check above can fail: with only a key and host names, each HTTPS warning is raised."""
    checked = check_deploy(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="imports.example.com")

    assert checked.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in checked.stderr


def test_env_example_lists_every_setting_the_product_reads():
    """Every variable config/settings.py reads appears in .env.example, set or commented with its default."""
    source = (settings.BASE_DIR / "config" / "settings.py").read_text()
    example = (settings.BASE_DIR / ".env.example").read_text()

    read = set(re.findall(r'(?:env(?:\.\w+)?|_path|_rate)\("([A-Z][A-Z0-9_]*)"', source))
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert len(read) > 40
    assert read - listed == set()
