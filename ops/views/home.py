"""Where each person lands after signing in: the page they work from."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from activities import access as activities_access
from activities import selectors as activities_selectors
from reports import access as reports_access


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The bureau lands on its dashboard; a supervisor on the review queue when something
    waits for them; everyone else on their office's page (with "your work")."""
    user = request.user
    if reports_access.can_see_all_offices(user):
        return redirect("reports:bureau")
    if (
        activities_access.can_use_review_queue(user)
        and activities_selectors.review_queue(user=user).exists()
    ):
        return redirect("activities:review")
    return redirect("offices:detail", code=user.office.code)
