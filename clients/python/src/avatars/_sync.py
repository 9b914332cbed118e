"""The blocking façade: the async client's own methods, each run to completion on a loop the façade keeps.

Nothing is written twice: every method below is the async one (same arguments, same answer type, same errors), so
the two clients cannot drift apart. One event loop for the client's life keeps httpx's connection pool alive
between calls.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from types import TracebackType
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, cast, overload

import httpx

from ._client import DEFAULT_TIMEOUT, AsyncAvatarsClient
from ._resources import AvatarsResource, KeysResource, SessionsResource
from ._videos import VideosResource
from ._webhooks import WebhooksResource

P = ParamSpec("P")
R = TypeVar("R")


def _run(runner: asyncio.Runner, work: Callable[[], Coroutine[Any, Any, R]]) -> R:
    # Checked before the coroutine exists, so none is left never awaited.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return runner.run(work())
    raise RuntimeError("AvatarsClient blocks; inside async code (a running event loop) use AsyncAvatarsClient.")


class _SyncResource:
    def __init__(self, resource: Any, runner: asyncio.Runner) -> None:
        self._resource = resource
        self._runner = runner


class _Blocking(Generic[P, R]):
    """A resource's async method, as a blocking method of the sync resource (typed with the same parameters)."""

    def __init__(self, method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]) -> None:
        self._method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: _SyncResource, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(self, obj: _SyncResource | None, owner: type[Any]) -> Self | Callable[P, R]:
        if obj is None:
            return self
        method, resource, runner = self._method, obj._resource, obj._runner

        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            return _run(runner, lambda: method(resource, *args, **kwargs))

        call.__doc__ = method.__doc__
        return call


class _BlockingIterator(Generic[P, R]):
    """A resource's async iterator (``iterate``), as a plain iterator whose every step runs on the façade's loop."""

    def __init__(self, method: Callable[Concatenate[Any, P], AsyncIterator[R]]) -> None:
        self._method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: _SyncResource, owner: type[Any]) -> Callable[P, Iterator[R]]: ...
    def __get__(self, obj: _SyncResource | None, owner: type[Any]) -> Self | Callable[P, Iterator[R]]:
        if obj is None:
            return self
        method, resource, runner = self._method, obj._resource, obj._runner

        def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
            items = method(resource, *args, **kwargs)

            async def step() -> tuple[bool, R | None]:
                # StopAsyncIteration is answered, not raised: it must not cross the runner.
                try:
                    return True, await anext(items)
                except StopAsyncIteration:
                    return False, None

            async def close() -> None:
                closer = getattr(items, "aclose", None)
                if closer is not None:
                    await closer()

            try:
                while True:
                    more, item = _run(runner, step)
                    if not more:
                        return
                    yield cast(R, item)
            finally:
                # A walk left early (break): its pages are let go now, or never once the client is closed.
                with contextlib.suppress(RuntimeError):
                    _run(runner, close)

        call.__doc__ = method.__doc__
        return call


class Avatars(_SyncResource):
    list = _Blocking(AvatarsResource.list)
    get = _Blocking(AvatarsResource.get)
    create = _Blocking(AvatarsResource.create)
    update = _Blocking(AvatarsResource.update)
    delete = _Blocking(AvatarsResource.delete)
    upload_source = _Blocking(AvatarsResource.upload_source)
    deploy = _Blocking(AvatarsResource.deploy)
    undeploy = _Blocking(AvatarsResource.undeploy)
    preview = _Blocking(AvatarsResource.preview)
    wait_until = _Blocking(AvatarsResource.wait_until)
    iterate = _BlockingIterator(AvatarsResource.iterate)


class Sessions(_SyncResource):
    start = _Blocking(SessionsResource.start)
    get = _Blocking(SessionsResource.get)
    end = _Blocking(SessionsResource.end)
    list = _Blocking(SessionsResource.list)
    iterate = _BlockingIterator(SessionsResource.iterate)


class Keys(_SyncResource):
    whoami = _Blocking(KeysResource.whoami)
    create = _Blocking(KeysResource.create)
    list = _Blocking(KeysResource.list)
    revoke = _Blocking(KeysResource.revoke)
    iterate = _BlockingIterator(KeysResource.iterate)


class Videos(_SyncResource):
    create = _Blocking(VideosResource.create)
    get = _Blocking(VideosResource.get)
    list = _Blocking(VideosResource.list)
    iterate = _BlockingIterator(VideosResource.iterate)
    delete = _Blocking(VideosResource.delete)
    wait_until_done = _Blocking(VideosResource.wait_until_done)


class Webhooks(_SyncResource):
    create = _Blocking(WebhooksResource.create)
    get = _Blocking(WebhooksResource.get)
    list = _Blocking(WebhooksResource.list)
    iterate = _BlockingIterator(WebhooksResource.iterate)
    delete = _Blocking(WebhooksResource.delete)
    list_deliveries = _Blocking(WebhooksResource.list_deliveries)
    iterate_deliveries = _BlockingIterator(WebhooksResource.iterate_deliveries)


class AvatarsClient(_SyncResource):
    """The Avatars API, blocking: the same resources, arguments, answers and errors as :class:`AsyncAvatarsClient`.

    For scripts and notebooks without an event loop of their own; inside ``async`` code use the async client (this
    one raises RuntimeError there). Not for use from several threads at once. Close it with ``with`` or ``close()``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._async = AsyncAvatarsClient(api_key, base_url, timeout=timeout)
        super().__init__(self._async, asyncio.Runner())
        self._closed = False
        self.base_url = self._async.base_url
        self.avatars = Avatars(self._async.avatars, self._runner)
        self.sessions = Sessions(self._async.sessions, self._runner)
        self.keys = Keys(self._async.keys, self._runner)
        self.videos = Videos(self._async.videos, self._runner)
        self.webhooks = Webhooks(self._async.webhooks, self._runner)

    request = _Blocking(AsyncAvatarsClient.request)

    def __repr__(self) -> str:
        return f"AvatarsClient(base_url={self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            _run(self._runner, self._async.aclose)
        finally:
            self._runner.close()
