"""The bureau's direction over the API: plan conflicts (read by the two offices concerned
and the bureau, closed by bureau admins) and progress notes (written by an office,
replied to by bureau admins, each change naming the version read). planning.access and
planning.services decide, as for the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from activities.models import Activity
from planning import access, services
from planning.models import Plan, PlanConflict, ProgressNote

from .. import serializers
from ..exceptions import StaleCopy
from ..filters import PlanConflictFilter, ProgressNoteFilter
from ..schema import header
from .activities import ETAG, IF_MATCH, VERSIONED, _version_named
from .planning import ReadsBodyFirst


@extend_schema(tags=["plans"])
class PlanConflictViewSet(ReadsBodyFirst, viewsets.ReadOnlyModelViewSet):
    """Conflicts the user may see: those of their office's plans and those about their
    office, for office users; every one for the bureau."""

    serializer_class = serializers.PlanConflictSerializer
    filterset_class = PlanConflictFilter
    lookup_value_regex = serializers.ID_PATTERN

    def get_queryset(self):
        queryset = PlanConflict.objects.select_related(
            "plan__lead_office", "office", "created_by", "closed_by"
        ).prefetch_related(
            Prefetch("other_plans", queryset=Plan.objects.only("id")),
            Prefetch("other_activities", queryset=Activity.objects.only("id")),
        )
        return access.conflicts_visible(self.request.user, queryset)

    @extend_schema(
        request=serializers.ConflictCloseSerializer,
        responses=serializers.PlanConflictSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk: int):
        """A bureau admin closes a conflict, with a note the offices read."""
        conflict = get_object_or_404(self.get_queryset(), pk=pk)
        access.require_close_conflict(request.user)
        payload = serializers.ConflictCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.conflict_close(
            user=request.user, conflict=conflict, note=payload.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=conflict.pk)).data)


def _stale(error: ValidationError) -> bool:
    """planning.services refuses a note changed since it was read with the code "stale"."""
    return any(
        getattr(item, "code", None) == "stale"
        for items in getattr(error, "error_dict", {}).values()
        for item in items
    )


def _stale_note(note: ProgressNote, *, read_version: int, precondition: bool) -> StaleCopy:
    note = ProgressNote.objects.select_related("written_by", "replied_by").get(pk=note.pk)
    last_by, last_at = note.written_by, note.written_at
    if note.replied_at and note.replied_at > note.written_at:
        last_by, last_at = note.replied_by, note.replied_at
    return StaleCopy(
        note,
        read_version=read_version,
        changed_by=last_by,
        changed_at=last_at,
        precondition=precondition,
    )


@extend_schema(tags=["progress notes"])
class ProgressNoteViewSet(
    ReadsBodyFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Each office's monthly notes on its progress, as those who see its figures read
    them: their office's (and its units') for office users, all for the bureau."""

    serializer_class = serializers.ProgressNoteSerializer
    filterset_class = ProgressNoteFilter
    lookup_value_regex = serializers.ID_PATTERN

    def get_queryset(self):
        queryset = ProgressNote.objects.select_related(
            "office", "indicator", "written_by", "replied_by"
        )
        return access.notes_visible(self.request.user, queryset)

    def _answer(self, note: ProgressNote, code: int = status.HTTP_200_OK) -> Response:
        note = self.get_queryset().get(pk=note.pk)
        response = Response(self.get_serializer(note).data, status=code)
        response["ETag"] = f'"{note.version}"'
        return response

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request, pk: int):
        return self._answer(get_object_or_404(self.get_queryset(), pk=pk))

    @extend_schema(
        request=serializers.NoteCreateSerializer,
        parameters=[ETAG, header("Location", codes=[201], description="The new note.")],
        responses={201: serializers.ProgressNoteSerializer, 409: VERSIONED[409]},
    )
    def create(self, request):
        """Write an office's note for a month; one already written is 409 (change it with
        PUT or PATCH, naming its version)."""
        access.require_writes_notes(request.user)
        payload = serializers.NoteCreateSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        try:
            note = services.note_write(user=request.user, **payload.validated_data)
        except ValidationError as error:
            if not _stale(error):
                raise
            existing = ProgressNote.objects.get(
                **{k: payload.validated_data[k] for k in ("office", "indicator", "year", "month")}
            )
            raise _stale_note(existing, read_version=0, precondition=False) from None
        response = self._answer(note, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            self.reverse_action("detail", args=[note.pk])
        )
        return response

    @extend_schema(
        request=serializers.NoteUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.ProgressNoteSerializer, **VERSIONED},
    )
    def update(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=serializers.NoteUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.ProgressNoteSerializer, **VERSIONED},
    )
    def partial_update(self, request, pk: int):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk: int, *, partial: bool) -> Response:
        note = get_object_or_404(self.get_queryset(), pk=pk)
        access.require_write_note(request.user, note.office)
        payload = serializers.NoteUpdateSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        version, by_header = _version_named(request, payload)
        try:
            note = services.note_write(
                user=request.user,
                office=note.office,
                indicator=note.indicator,
                year=note.year,
                month=note.month,
                text=payload.validated_data.get("text", note.text),
                version=version,
            )
        except ValidationError as error:
            if not _stale(error):
                raise
            raise _stale_note(note, read_version=version, precondition=by_header) from None
        return self._answer(note)

    @extend_schema(
        request=serializers.NoteReplySerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: serializers.ProgressNoteSerializer, **VERSIONED},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk: int):
        """A bureau admin replies to a note (or rewrites the reply), naming the version
        read."""
        note = get_object_or_404(self.get_queryset(), pk=pk)
        access.require_reply_note(request.user)
        payload = serializers.NoteReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version, by_header = _version_named(request, payload)
        try:
            note = services.note_reply(
                user=request.user,
                note=note,
                reply=payload.validated_data["reply"],
                version=version,
            )
        except ValidationError as error:
            if not _stale(error):
                raise
            raise _stale_note(note, read_version=version, precondition=by_header) from None
        return self._answer(note)
