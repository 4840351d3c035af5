import os
import shutil

import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories import make_area, make_department, make_user

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would then
# refuse the test's own setup queries. The live server still runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 costs ~0.3 s per password: with demo users created in many tests it dominated the
    # suite. Tests check permissions, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def login_without_throttling(settings):
    # The test client's login() authenticates without a request, which django-axes refuses;
    # the throttling tests (tests/test_accounts.py) switch it back on.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def fresh_caches():
    # Each test's database is rolled back, and with it the data version: a summary cached by
    # an earlier test must not be found again.
    from django.core.cache import cache

    from indicators import versions

    cache.clear()
    versions.forget_local()
    yield


@pytest.fixture(autouse=True)
def default_language():
    # The locale middleware activates each request's language and leaves it active on the
    # thread: a test that calls a service directly must not inherit an earlier test's English.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def static_files_from_the_source():
    # Production serves the hashed files that collectstatic writes (tests/test_serving.py runs
    # it); tests read static/ as it is, and whitenoise looks files up per request, so it does
    # not warn about a STATIC_ROOT that no test needs. Session-wide, so that the live server
    # (started once) gets it too.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages, WHITENOISE_AUTOREFRESH=True, WHITENOISE_USE_FINDERS=True
    ):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, never a downloaded browser; in CI (REQUIRE_BROWSER=1) it must exist."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("chromium 未安装：CI 要求运行浏览器测试（apt-get install chromium）。")
        pytest.skip("chromium is not installed; browser tests skipped")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture
def town(db):
    return make_area(code="T01", name="示例镇", level="town")


@pytest.fixture
def department(db):
    return make_department("经发办")


@pytest.fixture
def staff(town, department):
    return make_user("clerk1", role="clerk", area=town, department=department)


@pytest.fixture
def reviewer(town, department):
    return make_user("reviewer1", role="reviewer", area=town, department=department)


@pytest.fixture
def leader(town):
    return make_user("leader1", role="leader", area=town)


@pytest.fixture
def outsider(db):
    other = make_area(code="T99", name="外镇", level="town")
    return make_user("outsider1", role="clerk", area=other, department=make_department("财政所"))
