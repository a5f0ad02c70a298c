"""Who is using the editors' pages, and protection of their forms against cross-site requests.

Login: with API keys configured, an editor pastes a key once; it is checked exactly as the API checks a bearer
key (`security.match_key`: SHA-256 digests compared in constant time against every key) and then forgotten. The
HttpOnly, SameSite=Strict cookie scoped to `/ui` carries only a random session id (`sessions.SessionStore`),
which logout revokes and which expires, held in the store for every worker and replica; a session ends with
its key's removal from SARING_API_KEYS. A captured cookie is no API key. Wrong keys count against the client
address's budget of failed attempts, shared with the API. In key-less local mode nobody logs in (every user is
the local admin, as with the API), which the settings allow only on a loopback address.

CSRF: every form that changes state carries a random per-browser token that must equal the one in the
`saring_ui_csrf` cookie (HttpOnly, SameSite=Strict; compared in constant time), and the request's Origin (or,
without one, its Referer) must name this very host. A cross-site page can neither read the token nor make the
browser send either cookie, and key-less mode, where there is no login to steal, is covered by the same checks.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from service.deps import get_auth_failures, get_metrics, get_rate_limiter, get_sessions, get_settings
from service.security import (
    LOCAL_ADMIN,
    Caller,
    caller_of,
    client_address,
    count_failed_key,
    match_key,
    refuse_if_guessing,
)

SESSION_COOKIE = "saring_ui_session"
CSRF_COOKIE = "saring_ui_csrf"
CSRF_FIELD = "csrf_token"
COOKIE_PATH = "/ui"


def current_caller(request: Request) -> Caller | None:
    """The caller behind the session cookie (the local admin in key-less mode); None when not signed in."""
    settings = get_settings(request)
    if settings.keyless:
        return LOCAL_ADMIN
    token = request.cookies.get(SESSION_COOKIE)
    found = get_sessions(request).get(token) if token else None
    if found is None:
        return None
    # a session lasts only as long as its key: one removed from SARING_API_KEYS signs its sessions out
    key = next((k for k in settings.keys if k.key_id == found.key_id), None)
    return caller_of(key) if key is not None else None


def check_key(request: Request, presented: str) -> Caller | None:
    """The caller a sign-in key belongs to; a wrong key counts against the address (429 ApiError when used up)."""
    failures = get_auth_failures(request)
    refuse_if_guessing(request, failures, get_metrics(request))
    key = match_key(get_settings(request).keys, presented.strip()) if presented.strip() else None
    if key is None:
        count_failed_key(request, failures)
        return None
    return caller_of(key)


def within_rate(request: Request, caller: Caller | None) -> bool:
    """The API's per-caller token bucket (per address before login), shared with API requests of the same key."""
    bucket = client_address(request)
    if caller is not None and caller.key_id != LOCAL_ADMIN.key_id:
        bucket = caller.key_id
    allowed, _ = get_rate_limiter(request).allow(bucket)
    return allowed


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_login(response: Response, request: Request, caller: Caller) -> None:
    """Start a session for `caller` and give the browser its id."""
    sessions = get_sessions(request)
    response.set_cookie(
        SESSION_COOKIE,
        sessions.create(caller),
        max_age=int(sessions.ttl_s),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def clear_login(response: Response, request: Request) -> None:
    """Revoke the request's session (if any) and delete its cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        get_sessions(request).revoke(token)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def csrf_token(request: Request) -> tuple[str, bool]:
    """(token for this browser's forms, whether the cookie must be (re)set on the response)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) >= 32 and token.isascii():
        return token, False
    return secrets.token_urlsafe(32), True


def set_csrf(response: Response, request: Request, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict", secure=_secure(request))


def same_origin(request: Request) -> bool:
    """The request comes from a page of this host: its Origin (or Referer) names the Host it was sent to."""
    host = request.headers.get("host", "").lower()
    source = request.headers.get("origin")
    if not source or source == "null":
        source = request.headers.get("referer")
    if not source or not host:
        return False
    parts = urlsplit(source)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


def csrf_ok(request: Request, submitted: object) -> bool:
    """The form's token equals the cookie's (constant time) and the request is same-origin."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not isinstance(submitted, str) or not cookie or not same_origin(request):
        return False
    return hmac.compare_digest(cookie.encode("utf-8", "replace"), submitted.encode("utf-8", "replace"))
