"""The language each person reads in (where they land is ops.views.home)."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the user (for e-mails).
    A language we do not offer is a malformed request (the switch only offers ours)."""
    language = request.POST.get("language")
    if language not in LANGUAGE_CODES:
        raise BadRequest("Unknown language.")
    response = django_set_language(request)
    user = request.user
    if user.is_authenticated and language in LANGUAGE_CODES and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
