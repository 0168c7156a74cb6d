"""Who may open a /r/<token>/ page: the one gate of every private-link route.

`private_link(purposes=...)` resolves the token to its request (tokens.py),
for tokens of the purposes the route accepts. An unknown token gets the same
404 as any other page; an erased request, on every route, the page that says
so (410). The view receives the request; `request.link_purpose` says which
kind of token opened it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .choices import Status, TokenPurpose
from .tokens import token_lookup

View = Callable[..., HttpResponse]


def private_link(view: View | None = None, *, purposes: Iterable[str] = (TokenPurpose.MANAGE,)):
    """Decorate a view taking (request, token, request_obj). Used bare
    (`@private_link`) it accepts the member's managing token only."""
    accepted = tuple(purposes)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
            row = token_lookup(token, purposes=accepted)
            if row is None:
                raise Http404
            request_obj = row.request
            request.link_purpose = row.purpose
            request.link_token = row
            if request_obj.status == Status.ERASED:
                return render(request, "requests_app/erased.html", {"request_obj": request_obj}, status=410)
            return view(request, token, request_obj, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def link_key(group: str, request: HttpRequest) -> str:
    """A rate-limit key per private link: a client looping on one request's
    changes or renders uses up that link's budget, not everyone's."""
    return request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""
