"""The cache (rate-limit counters, and the one-time "open the request again"
flag of a double-clicked Create) must never take a page down: with
Redis unreachable its calls fail soft, so django-ratelimit's fail-open
setting applies (it catches a failed count, not Redis' own exceptions)."""

from __future__ import annotations

import logging

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


class FailSoftRedisCache(RedisCache):
    def _warn(self, operation: str, error: Exception) -> None:
        logger.warning("cache %s failed (%s); rate limits are not applied meanwhile", operation, type(error).__name__)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except redis.RedisError as error:
            self._warn("add", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except redis.RedisError as error:
            self._warn("get", error)
            return default

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except redis.RedisError as error:
            self._warn("incr", error)
            # What django-ratelimit reads as "the count could not be read".
            raise ValueError("cache unavailable") from error

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except redis.RedisError as error:
            self._warn("set", error)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except redis.RedisError as error:
            self._warn("delete", error)
            return False
