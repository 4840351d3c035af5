"""CACHE_URL (config/cache_url.py): local memory by default, Redis or memcached in deployment."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.cache_url import parse
from tests.test_settings import PRODUCTION, manage


def test_each_scheme_names_its_backend():
    assert parse("locmem://")["BACKEND"].endswith("LocMemCache")
    assert parse("redis://127.0.0.1:6379/1") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert parse("memcached://10.0.0.1:11211,10.0.0.2:11211")["LOCATION"] == [
        "10.0.0.1:11211",
        "10.0.0.2:11211",
    ]
    assert parse("file:///var/cache/tracker")["LOCATION"] == "/var/cache/tracker"
    assert parse("dummy://")["BACKEND"].endswith("DummyCache")


@pytest.mark.parametrize("url", ["mysql://x", "memcached://", "file://"])
def test_a_wrong_url_is_refused_in_chinese(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        parse(url)


def test_production_refuses_to_start_with_an_unknown_cache():
    result = manage("check", **PRODUCTION, CACHE_URL="bogus://here")
    assert result.returncode != 0 and "无法识别的 CACHE_URL" in result.stderr
