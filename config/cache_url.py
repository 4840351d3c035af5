"""`CACHE_URL` → Django's CACHES entry: the summaries' cache (indicators.versions).

    locmem://            each worker process its own memory (the default; nothing to run)
    redis://host:6379/0  one cache shared by every worker (rediss:// for TLS); needs `redis`
    memcached://host:11211[,host2:11211]   needs `pymemcache`
    file:///var/cache/tracker              a directory on this machine
    dummy://             no cache at all (every read computes)

Correctness never depends on the choice: entries are keyed by the data version that the
database holds, so even separate local memories never serve a number older than a write.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}


def parse(url: str) -> dict:
    parts = urlsplit(url)
    backend = BACKENDS.get(parts.scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"无法识别的 CACHE_URL「{url}」：应以 {'、'.join(f'{s}://' for s in BACKENDS)} 开头。"
        )
    config = {"BACKEND": backend}
    if parts.scheme in ("redis", "rediss"):
        config["LOCATION"] = url
    elif parts.scheme == "memcached":
        if not parts.netloc:
            raise ImproperlyConfigured(f"CACHE_URL「{url}」缺少 memcached 的地址和端口。")
        config["LOCATION"] = parts.netloc.split(",")
    elif parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"CACHE_URL「{url}」缺少缓存目录。")
        config["LOCATION"] = parts.path
    elif parts.scheme == "locmem":
        config["LOCATION"] = parts.netloc or "tracker"
    return config
