"""Each person's calendar feed: the page where they make, replace or turn off their feed's
address, and the feed itself, which a calendar program fetches without a session (the
token in its address is the credential).

A new address's raw token is in the response to the POST that made it and nowhere else
(not in the session, a message or a redirect), as for API tokens; the page is never
cached. Replacing or turning off an address asks first: calendars using it stop updating.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .feed import active_feed, feed_calendar, feed_plans, shows_every_confirmed


def _site(request: HttpRequest) -> str:
    """Where links point: KPI_SITE_URL when set (as in the reminders), else this site."""
    return settings.KPI_SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")


def _made(request: HttpRequest, feed, raw: str) -> HttpResponse:
    address = _site(request) + reverse("planning:feed", kwargs={"token": raw})
    return _page(request, feed, address=address)


def _page(request: HttpRequest, feed, *, address: str = "") -> HttpResponse:
    return render(
        request,
        "planning/feed_subscription.html",
        {
            "feed": feed,
            "address": address,
            "every_confirmed": shows_every_confirmed(request.user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription(request: HttpRequest) -> HttpResponse:
    """Whether the person has a feed, and making their first; a new one while one is
    active revokes it, which is asked first (`feed_new`)."""
    feed = active_feed(request.user)
    if request.method == "POST":
        if feed is not None:
            return redirect("planning:feed_new")
        feed, raw = services.feed_create(user=request.user)
        return _made(request, feed, raw)
    return _page(request, feed)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def feed_new(request: HttpRequest) -> HttpResponse:
    feed = active_feed(request.user)
    if request.method == "POST":
        feed, raw = services.feed_create(user=request.user)
        return _made(request, feed, raw)
    if feed is None:
        return redirect("planning:subscription")
    return render(request, "planning/feed_confirm.html", {"feed": feed, "replace": True})


@login_required
@require_http_methods(["GET", "POST"])
def feed_off(request: HttpRequest) -> HttpResponse:
    feed = active_feed(request.user)
    if request.method == "POST":
        if services.feed_revoke(user=request.user):
            messages.success(
                request,
                _("Your calendar address is turned off: calendars using it no longer update."),
            )
        return redirect("planning:subscription")
    if feed is None:
        return redirect("planning:subscription")
    return render(request, "planning/feed_confirm.html", {"feed": feed, "replace": False})


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's plans as iCalendar; 404 for an unknown or turned-off address."""
    user = services.feed_user(token)
    if user is None:
        raise Http404
    plans = feed_plans(user, today=timezone.localdate())
    body = feed_calendar(user, plans, site_url=_site(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kpi-tracker.ics"'
    patch_cache_control(response, private=True, no_cache=True)
    return response
