"""Plans over the API. Thin: planning.access decides who sees a plan in full, as a summary
or not at all (404), planning.services decides every write, as for the pages.

A plan that raises warnings not yet answered is refused with 400, the warnings in the
body's `warnings`, and saved when sent again with `warning_reason` (docs/api.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from offices.models import Counterpart, Office
from planning import access, services
from planning.models import Plan
from planning.warnings import Proposal, plan_warnings

from .. import serializers
from ..exceptions import StaleCopy
from ..filters import PlanFilter
from ..schema import NOT_FOUND, header
from .activities import ETAG, IF_MATCH, VERSIONED, _version_named

ETAG_IF_FULL = header(
    "ETag",
    codes=[200],
    required=False,
    description="The version's ETag, for If-Match (a plan seen in full).",
)


def _with_links(queryset):
    """Everything a plan's JSON shows, in a fixed number of queries per page."""
    return queryset.select_related(
        "lead_office", "indicator", "region", "confirmed_by", "created_by", "updated_by"
    ).prefetch_related(
        Prefetch("counterparts", queryset=Counterpart.objects.only("id")),
        Prefetch("participating_offices", queryset=Office.objects.only("id", "code")),
        "attendees",
    )


def _unresolved_conflicts(plan: Plan | None) -> list:
    if plan is None:
        return []
    return list(plan.conflicts.unresolved().prefetch_related("other_plans", "other_activities"))


def _warnings_refused(refusal: services.WarningsNeedReason, plan: Plan | None) -> Response:
    """400, as a refusal of the field `warning_reason`, with what the plan warns about."""
    body = exceptions.ValidationError(refusal.message_dict).detail
    body["warnings"] = serializers.warning_data(refusal.warnings, _unresolved_conflicts(plan))[
        "warnings"
    ]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class ReadsBodyFirst:
    """A change's body is read before anything is done, also by the actions that take none
    (confirm, log): a body too large (413), not JSON (415) or malformed (400) is refused,
    not ignored."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS:
            request.data  # noqa: B018 (parses the body, or raises)


@extend_schema(tags=["plans"])
class PlanViewSet(ReadsBodyFirst, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Plans the user may see: in full (their office's, led or joined; every plan for the
    bureau) or as a summary (other offices' plans shared as one, not cancelled). Another
    office's restricted plan is never listed, and 404 by its id."""

    serializer_class = serializers.PlanSerializer
    filterset_class = PlanFilter
    lookup_value_regex = serializers.ID_PATTERN

    def get_queryset(self):
        user = self.request.user
        return _with_links(access.with_detail_flag(user, access.plans_visible(user)))

    def _answer(self, pk: int, code: int = status.HTTP_200_OK, plan: Plan | None = None):
        """The plan as it is now, as the person sees it, with its ETag when seen in full."""
        plan = plan or self.get_queryset().get(pk=pk)
        response = Response(self.get_serializer(plan).data, status=code)
        if plan.in_full:
            response["ETag"] = f'"{plan.version}"'
        return response

    @extend_schema(parameters=[ETAG_IF_FULL])
    def retrieve(self, request, pk: int):
        """The plan in full, or its summary (`detail` false); 404 if it may not be seen."""
        plan = self.get_queryset().filter(pk=pk).first()
        if plan is None:
            raise Http404
        return self._answer(plan.pk, plan=plan)

    @extend_schema(
        request=serializers.PlanWriteSerializer,
        parameters=[ETAG, header("Location", codes=[201], description="The new plan.")],
        responses={201: serializers.PlanSerializer},
    )
    def create(self, request):
        """Plan an engagement. A plan that warns is refused (400, `warnings`) until sent
        with `warning_reason`."""
        access.require_can_plan(request.user)
        payload = serializers.PlanWriteSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        try:
            saved = services.plan_create(user=request.user, **payload.service_kwargs())
        except services.WarningsNeedReason as refusal:
            return _warnings_refused(refusal, None)
        response = self._answer(saved.plan.pk, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            self.reverse_action("detail", args=[saved.plan.pk])
        )
        return response

    @extend_schema(
        request=serializers.PlanUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.PlanSerializer, **VERSIONED},
    )
    def update(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=serializers.PlanUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.PlanSerializer, **VERSIONED},
    )
    def partial_update(self, request, pk: int):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk: int, *, partial: bool) -> Response:
        access.require_can_plan(request.user)
        plan = access.get_plan_in_full(request.user, pk)
        payload = serializers.PlanUpdateSerializer(
            data=request.data, user=request.user, partial=partial
        )
        payload.is_valid(raise_exception=True)
        version, by_header = _version_named(request, payload)
        if version == plan.version and not access.can_change(request.user, plan):
            raise exceptions.PermissionDenied(access.change_refused(plan))
        try:
            services.plan_update(
                user=request.user,
                plan=plan,
                version=version,
                **payload.service_kwargs(replace=not partial),
            )
        except services.PlanChanged as stale:
            raise StaleCopy(
                stale.plan,
                read_version=version,
                changed_by=stale.plan.updated_by,
                changed_at=stale.plan.updated_at,
                precondition=by_header,
            ) from None
        except services.WarningsNeedReason as refusal:
            return _warnings_refused(refusal, plan)
        return self._answer(plan.pk)

    @extend_schema(request=None, parameters=[ETAG], responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk: int):
        """A supervisor of the lead office, or a bureau admin, confirms a planned plan."""
        plan = access.get_plan_in_full(request.user, pk)
        services.plan_confirm(user=request.user, plan=plan)
        return self._answer(plan.pk)

    @extend_schema(
        request=serializers.PlanCancelSerializer,
        parameters=[ETAG],
        responses=serializers.PlanSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk: int):
        """Cancel a plan still ahead, with a reason (and a note for "other")."""
        plan = access.get_plan_in_full(request.user, pk)
        access.require_change(request.user, plan)
        payload = serializers.PlanCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.plan_cancel(
            user=request.user,
            plan=plan,
            reason=payload.validated_data["reason"],
            note=payload.validated_data.get("note", ""),
        )
        return self._answer(plan.pk)

    @extend_schema(
        request=None,
        parameters=[header("Location", codes=[201], description="The new activity.")],
        responses={201: serializers.LoggedSerializer},
    )
    @action(detail=True, methods=["post"])
    def log(self, request, pk: int):
        """Log what happened: a draft activity prefilled from the plan (from its first
        day on); the plan is done. A second call finds it done (403)."""
        plan = access.get_plan_in_full(request.user, pk)
        activity = services.plan_log_activity(user=request.user, plan=plan)
        url = request.build_absolute_uri(reverse("api:activity-detail", args=[activity.pk]))
        plan = self.get_queryset().get(pk=plan.pk)
        body = {
            "activity": activity.pk,
            "activity_url": url,
            "plan": serializers.PlanSerializer(plan, context=self.get_serializer_context()).data,
        }
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Location"] = url
        return response

    @extend_schema(
        request=serializers.PlanCheckSerializer,
        responses={200: serializers.PlanWarningsSerializer, 404: NOT_FOUND},
    )
    @action(detail=False, methods=["post"])
    def check(self, request):
        """The warnings a plan would raise, as it is written here, without saving it; with
        `plan`, as a change to that plan."""
        access.require_can_plan(request.user)
        payload = serializers.PlanCheckSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        plan = None
        if data.get("plan"):
            plan = access.get_plan_in_full(request.user, data["plan"])
        ends_on = data.get("ends_on") or data["starts_on"]
        if ends_on < data["starts_on"]:
            raise ValidationError({"ends_on": _("The last day cannot be before the first.")})
        proposal = Proposal(
            lead_office=data["lead_office"],
            starts_on=data["starts_on"],
            ends_on=ends_on,
            region=data["region"],
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            counterpart_ids=frozenset(c.pk for c in data.get("counterparts", [])),
            attendee_ids=frozenset(u.pk for u in data.get("attendees", [])),
            attendee_names=data.get("attendee_names", ""),
            participating_office_ids=frozenset(o.pk for o in data.get("participating_offices", [])),
            plan_id=plan.pk if plan else None,
        )
        warnings = plan_warnings(request.user, proposal)
        return Response(serializers.warning_data(warnings, _unresolved_conflicts(plan)))

    @extend_schema(responses={200: serializers.PlanWarningsSerializer})
    @action(detail=True, methods=["get"])
    def warnings(self, request, pk: int):
        """What the plan, as saved, warns about now, and whether its open conflicts answer
        it all."""
        plan = access.get_plan_in_full(request.user, pk)
        plan = _with_links(Plan.objects.filter(pk=plan.pk)).get()
        warnings = plan_warnings(request.user, Proposal.of(plan))
        return Response(serializers.warning_data(warnings, _unresolved_conflicts(plan)))
