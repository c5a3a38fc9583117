"""Activities over the API. Thin: activities.access decides who sees what (404 for other
offices' activities), activities.services decides every write, as for the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from activities import access, selectors, services
from activities.access import get_activity_for_user
from activities.models import Activity
from offices.models import Counterpart, Office

from .. import serializers
from ..exceptions import PreconditionRequired, StaleVersion
from ..filters import ApiActivityFilter
from ..pagination import ActivityPagination
from ..schema import PRECONDITION_REQUIRED, conflict, header

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    pattern=r'^(W/)?"[0-9]{1,9}"$',
    description="The ETag of the version you read; refused with 412 if it is stale.",
)
ETAG = header("ETag", codes=[200, 201], description="The version's ETag, for If-Match.")
# A change names the version it was made on: 409 or 412 when it is stale, 428 without one.
VERSIONED = {
    409: conflict(409),
    412: conflict(412),
    428: PRECONDITION_REQUIRED,
}


def _with_links(queryset):
    """Everything an activity's JSON shows, in a fixed number of queries per page."""
    return queryset.select_related(
        "lead_office",
        "indicator",
        "region",
        "created_by",
        "updated_by",
        "reviewed_by",
        "removed_by",
    ).prefetch_related(
        Prefetch("participating_offices", queryset=Office.objects.only("id", "code")),
        Prefetch("counterparts", queryset=Counterpart.objects.only("id")),
        Prefetch("partners", queryset=Counterpart.objects.only("id")),
    )


def _etag(activity: Activity) -> str:
    return f'"{activity.version}"'


def _if_match(request) -> int | None:
    """The version named by an If-Match header (our ETags are the version in quotes)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit() or len(value) > 9:
        raise exceptions.ValidationError(
            {"If-Match": [_('Send the ETag you read, for example "3".')]}
        )
    return int(value)


def _version_named(request, payload) -> tuple[int, bool]:
    """The version a change was made on, from If-Match or else the body's `version`, and
    whether it came from the header (a stale one is then 412, not 409). Without either,
    428: a change that names no version could overwrite one its author has not seen."""
    header_version = _if_match(request)
    if header_version is not None:
        return header_version, True
    version = payload.validated_data.get("version")
    if version is None:
        raise PreconditionRequired
    return version, False


@extend_schema(tags=["activities"])
class ActivityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Activities the user may see: their office's (led or joined) for office users, all
    for the bureau. Removed activities are left out of the list."""

    serializer_class = serializers.ActivitySerializer
    filterset_class = ApiActivityFilter
    pagination_class = ActivityPagination
    lookup_value_regex = serializers.ID_PATTERN

    def get_queryset(self):
        return _with_links(Activity.objects.visible_to(self.request.user).not_removed())

    def initial(self, request, *args, **kwargs):
        """A change's body is read before anything is done, also by the actions that take
        none (submit, verify): a body too large (413), not JSON (415) or malformed (400) is
        refused, not ignored."""
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS:
            request.data  # noqa: B018 (parses the body, or raises)

    def filter_queryset(self, queryset):
        """The filter backend's work, keeping the filter set for `list` (paging)."""
        backend = DjangoFilterBackend()
        self.filterset = backend.get_filterset(self.request, queryset, self)
        if not self.filterset.is_valid():
            raise translate_validation(self.filterset.errors)
        return self.filterset.qs

    def list(self, request):
        self.filter_queryset(self.get_queryset())
        rows = selectors.keyset_list(self.filterset, user=request.user)
        if rows is None:  # paged by number (the roll-up's), quick at any depth
            page = self.paginate_queryset(selectors.paged_list(self.filterset, user=request.user))
        else:
            page = self.paginator.paginate_keyset(rows, request, view=self)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _answer(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        """The activity as it is now, with everything its JSON shows, and its ETag."""
        activity = _with_links(Activity.objects.filter(pk=activity.pk)).get()
        response = Response(self.get_serializer(activity).data, status=code)
        response["ETag"] = _etag(activity)
        return response

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request, pk: int):
        """The activity, as the user may see it (removed ones too); 404 otherwise."""
        return self._answer(get_activity_for_user(request.user, pk))

    @extend_schema(
        request=serializers.ActivityCreateSerializer,
        parameters=[ETAG, header("Location", codes=[201], description="The new activity.")],
        responses={201: serializers.ActivitySerializer},
    )
    def create(self, request):
        access.require_can_log_activities(request.user)
        payload = serializers.ActivityCreateSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        activity = services.activity_create(
            user=request.user,
            submit=payload.validated_data["submit"],
            **payload.service_kwargs(),
        )
        response = self._answer(activity, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            self.reverse_action("detail", args=[activity.pk])
        )
        return response

    @extend_schema(
        request=serializers.ActivityUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.ActivitySerializer, **VERSIONED},
    )
    def update(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=serializers.ActivityUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.ActivitySerializer, **VERSIONED},
    )
    def partial_update(self, request, pk: int):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk: int, *, partial: bool) -> Response:
        activity = get_activity_for_user(request.user, pk, write=True)
        payload = serializers.ActivityUpdateSerializer(
            data=request.data, user=request.user, partial=partial
        )
        payload.is_valid(raise_exception=True)
        version, by_header = _version_named(request, payload)
        try:
            if version == activity.version and not access.can_edit(request.user, activity):
                raise exceptions.PermissionDenied(access.locked_reason(activity))
            activity = services.activity_update(
                user=request.user,
                activity_id=activity.pk,
                expected_version=version,
                **payload.service_kwargs(replace=not partial),
            )
        except services.ConflictError as stale:
            raise StaleVersion(stale, precondition=by_header) from None
        return self._answer(activity)

    @extend_schema(request=None, parameters=[ETAG], responses=serializers.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk: int):
        """Submit a draft or returned activity for verification: from now on it counts."""
        activity = self._writable(pk)
        services.activities_submit(user=request.user, activity_ids=[activity.pk])
        return self._answer(activity)

    @extend_schema(request=None, parameters=[ETAG], responses=serializers.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk: int):
        """A supervisor of the lead office (or a bureau admin) confirms a submitted activity;
        not the person who created it or last changed it ("four eyes": 403)."""
        activity = self._reviewable(pk)
        if access.verified_by_someone_else(request.user, activity):
            raise exceptions.PermissionDenied(access.four_eyes_reason(activity))
        services.activities_verify(user=request.user, activity_ids=[activity.pk])
        return self._answer(activity)

    @extend_schema(
        request=serializers.ReturnSerializer,
        parameters=[ETAG],
        responses=serializers.ActivitySerializer,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk: int):
        """Send a submitted or verified activity back to its author; it stops counting."""
        activity = self._reviewable(pk)
        payload = serializers.ReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.activities_return(
            user=request.user,
            activity_ids=[activity.pk],
            comment=payload.validated_data["comment"],
        )
        return self._answer(activity)

    @extend_schema(
        request=serializers.RemoveSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.ActivitySerializer, **VERSIONED},
    )
    @action(detail=True, methods=["post"])
    def remove(self, request, pk: int):
        """Remove an activity with a reason, naming the version read as an edit does. It
        stays on record (who, when, why) and stops counting; it leaves the list."""
        activity = get_activity_for_user(request.user, pk, write=True)
        payload = serializers.RemoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version, by_header = _version_named(request, payload)
        try:
            # On a stale version the conflict says what changed (a removal, a submission)
            # rather than the refusal the current state would give.
            if version == activity.version:
                _ensure_removable(request.user, activity)
            services.activity_remove(
                user=request.user,
                activity_id=activity.pk,
                reason=payload.validated_data["reason"],
                expected_version=version,
            )
        except services.ConflictError as stale:
            raise StaleVersion(stale, precondition=by_header) from None
        return self._answer(activity)

    def _reviewable(self, pk: int) -> Activity:
        activity = get_activity_for_user(self.request.user, pk)
        if not access.can_review(self.request.user, activity):
            raise exceptions.PermissionDenied(access.review_refused())
        return activity

    def _writable(self, pk: int) -> Activity:
        activity = get_activity_for_user(self.request.user, pk, write=True)
        if activity.is_removed:
            raise exceptions.PermissionDenied(access.locked_reason(activity))
        return activity


def _ensure_removable(user, activity: Activity) -> None:
    if activity.is_removed:
        raise exceptions.PermissionDenied(access.locked_reason(activity))
    if not access.can_remove(user, activity):
        raise exceptions.PermissionDenied(
            _("This activity is %(status)s: a supervisor of the lead office returns or removes it.")
            % {"status": activity.get_status_display().lower()}
        )
