"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` object for every cache call; building one
copies its table of some 170 response callbacks, about a third of a millisecond of Python, more
than the round trip to Redis itself. A verification page served from the cache makes one call,
so that was most of its cost (BENCHMARKS.md). The clients kept here share their pools exactly as
before; redis-py clients are thread-safe, and a pool reconnects in a forked process by itself.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool
