"""The shared directory of counterparts: who may add to it, how it is searched, how new
entries are checked against near-identical names, and what each user sees of it.

Who may add, how names are compared, the reads (selectors), then the one write (a
service), as in STYLE.md.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .access import require_can_add_counterparts
from .i18n import current_suffix
from .models import Counterpart, Region, office_with_units

SIMILARITY_THRESHOLD = 0.85
"""difflib ratio of two normalised English names at or above which they are "near-identical"."""

SEARCH_LIMIT = 20
SIMILAR_LIMIT = 10

# Words that do not tell two bodies apart: "The Ministry of Commerce" and "Ministry of
# Commerce" are the same body. Only English function words: every content word (Province,
# Bureau, Company, Limited...) can be the one that tells two real bodies apart.
ENGLISH_FILLER_WORDS = frozenset({"the", "of", "and", "for", "in", "on", "at", "a", "an"})
_WORD = re.compile(r"\w+")


# --- names ------------------------------------------------------------------------------


def tidy_name(value: str, *, english: bool) -> str:
    """What is stored: surrounding and repeated spaces removed. English names are also
    NFKC-normalised (full-width letters and digits typed with a Chinese input method become
    ordinary ones); Chinese names keep their full-width brackets and punctuation."""
    value = value or ""
    if english:
        value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())


def _english_words(value: str) -> list[str]:
    value = unicodedata.normalize("NFKC", value or "").casefold().replace("'", "").replace("’", "")
    return [w for w in _WORD.findall(value) if w not in ENGLISH_FILLER_WORDS]


def normalise_english(value: str) -> str:
    """NFKC, case-folded, punctuation and filler words dropped, words joined:
    "The People's Government of Guangdong Province" -> "peoplesgovernmentguangdongprovince"."""
    return "".join(_english_words(value))


def _english_words_sorted(value: str) -> str:
    """The same words in any order: "Guangdong Department of Commerce" equals
    "Department of Commerce, Guangdong"."""
    return "".join(sorted(_english_words(value)))


def normalise_chinese(value: str) -> str:
    """NFKC (full-width letters, digits and brackets folded), case-folded, with spaces,
    punctuation and symbols dropped: "廣東省 商務廳（本部）" -> "廣東省商務廳本部"."""
    value = unicodedata.normalize("NFKC", value or "").casefold()
    return "".join(ch for ch in value if unicodedata.category(ch)[0] in "LN")


# --- reads ------------------------------------------------------------------------------


def counterpart_label(counterpart: Counterpart) -> str:
    """The name in the reader's language, followed by the name in the other language, so
    that a body is recognisable whichever name the user knows it by:
    "Ministry of Commerce (商務部)", "商务部 (Ministry of Commerce)"."""
    suffix = current_suffix()
    primary = counterpart.name
    if suffix == "en":
        other = counterpart.name_zh_hant or counterpart.name_zh_hans
    else:
        other = counterpart.name_en
    if other and other != primary:
        return f"{primary} ({other})"
    return primary


def counterpart_as_dict(counterpart: Counterpart) -> dict:
    """What the type-ahead and the add-a-counterpart answer send to the picker."""
    return {
        "id": counterpart.pk,
        "label": counterpart_label(counterpart),
        "type": counterpart.type,
        "type_label": str(counterpart.get_type_display()),
        "region": counterpart.region.name if counterpart.region_id else "",
    }


def _name_query(q: str) -> Q:
    """Every word of the query appears in one of the three names (substring, ignoring case):
    "commerce guangdong" finds "Department of Commerce of Guangdong Province"."""
    condition = Q()
    for term in q.split():
        condition &= (
            Q(name_en__icontains=term)
            | Q(name_zh_hant__icontains=term)
            | Q(name_zh_hans__icontains=term)
        )
    return condition


def clean_query(q: str | None) -> str:
    """NFKC so that full-width Latin letters typed with a Chinese input method still match."""
    return " ".join(unicodedata.normalize("NFKC", q or "").split())[:100]


def regions_covered_for(user) -> QuerySet:
    """The regions the offices a person works for cover (none for bureau roles), as a query
    of ids read inside the search's own query: it ranks counterparts there first."""
    if user.office_id is None:
        return Region.objects.none().values("pk")
    return Region.objects.filter(office_with_units(user.office_id, field="offices")).values("pk")


def counterpart_search(
    q: str,
    types: Sequence[str] | None = None,
    limit: int = SEARCH_LIMIT,
    *,
    exclude_types: Sequence[str] | None = None,
    regions: Sequence[int] | QuerySet | None = None,
) -> list[Counterpart]:
    """Active counterparts whose English, Traditional or Simplified Chinese name contains
    every word of `q`. The `types` an indicator offers first come first; within them, those
    in the `regions` the person's office covers (ids, or a query of ids); then names that
    start with the query before names that merely contain it; then by name. One query."""
    q = clean_query(q)
    if not q:
        return []
    queryset = Counterpart.objects.filter(is_active=True).filter(_name_query(q))
    if exclude_types:
        queryset = queryset.exclude(type__in=list(exclude_types))
    preferred = [t for t in (types or []) if t in Counterpart.Type.values]
    queryset = queryset.annotate(
        type_rank=Case(
            When(type__in=preferred, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        region_rank=(
            Case(
                When(region__in=regions, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
            if regions is not None
            else Value(0, output_field=IntegerField())
        ),
        prefix_rank=Case(
            When(
                Q(name_en__istartswith=q)
                | Q(name_zh_hant__startswith=q)
                | Q(name_zh_hans__startswith=q),
                then=Value(0),
            ),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )
    return list(
        queryset.select_related("region").order_by(
            "type_rank", "region_rank", "prefix_rank", Lower("name_en"), "name_zh_hant", "pk"
        )[:limit]
    )


AUTHORITY_TYPES = (
    Counterpart.Type.CENTRAL_AUTHORITY,
    Counterpart.Type.PROVINCIAL_AUTHORITY,
    Counterpart.Type.MUNICIPAL_AUTHORITY,
)


def authorities() -> QuerySet:
    """The bodies another can belong to (its parent authority): the directory's active
    central, provincial and municipal authorities."""
    return Counterpart.objects.filter(type__in=AUTHORITY_TYPES, is_active=True).order_by(
        "type", "name_en", "name_zh_hant"
    )


def counterpart_directory(
    *,
    q: str = "",
    type: str = "",
    region: Region | None = None,
) -> QuerySet[Counterpart]:
    """The directory as one user sees it: every active counterpart, English names first.
    A lazy queryset so that the paginator fetches one page (the activities' pages add the
    number of activities with each: activities.selectors.with_visible_activity_counts)."""
    queryset = Counterpart.objects.filter(is_active=True).select_related("region")
    q = clean_query(q)
    if q:
        queryset = queryset.filter(_name_query(q))
    if type:
        queryset = queryset.filter(type=type)
    if region is not None:
        queryset = queryset.filter(region=region)
    return queryset.annotate(
        no_english_name=Case(
            When(name_en="", then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    ).order_by("no_english_name", Lower("name_en"), "name_zh_hant", "pk")


@dataclass(frozen=True)
class SimilarCounterpart:
    counterpart: Counterpart
    score: float
    reason: str  # which name looked alike, in words for the user

    @property
    def label(self) -> str:
        return counterpart_label(self.counterpart)


def _english_similarity(matcher: difflib.SequenceMatcher, candidate: str) -> float:
    matcher.set_seq1(candidate)
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD:
        return 0.0
    if matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def _chinese_similarity(new: str, existing: str) -> float:
    """Identical, or one name contains the other ("商務廳" in "廣東省商務廳"): 1.0 or the
    share of the longer name covered. Single characters are too common to mean anything."""
    if not new or not existing:
        return 0.0
    if new == existing:
        return 1.0
    shorter, longer = sorted((new, existing), key=len)
    if len(shorter) >= 2 and shorter in longer:
        return max(len(shorter) / len(longer), SIMILARITY_THRESHOLD)
    return 0.0


def counterparts_similar_to(
    *,
    name_en: str = "",
    name_zh_hant: str = "",
    name_zh_hans: str = "",
    exclude_pk: int | None = None,
    limit: int = SIMILAR_LIMIT,
) -> list[SimilarCounterpart]:
    """Active counterparts of any type whose name is identical or nearly so once spelling
    noise is removed, best match first.

    English names: identical after `normalise_english`, or a difflib ratio of at least
    0.85 on the normalised names (word order ignored too). Chinese names: Traditional
    against Traditional and Simplified against Simplified (no conversion between scripts),
    identical after `normalise_chinese`, or one containing the other.

    The names are compared in Python, in one query over the directory: it holds hundreds
    to a few thousand bodies, and difflib's quick ratios skip most of them cheaply."""
    english = normalise_english(name_en)
    english_sorted = _english_words_sorted(name_en)
    hant = normalise_chinese(name_zh_hant)
    hans = normalise_chinese(name_zh_hans)
    if not (english or hant or hans):
        return []
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(english)
    sorted_matcher = difflib.SequenceMatcher(autojunk=False)
    sorted_matcher.set_seq2(english_sorted)

    candidates = Counterpart.objects.filter(is_active=True).select_related("region")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found: list[SimilarCounterpart] = []
    for candidate in candidates.order_by("pk"):
        scores: list[tuple[float, str]] = []
        if english and candidate.name_en:
            score = max(
                _english_similarity(matcher, normalise_english(candidate.name_en)),
                _english_similarity(sorted_matcher, _english_words_sorted(candidate.name_en)),
            )
            if score >= SIMILARITY_THRESHOLD:
                scores.append((score, _("English name")))
        if hant and candidate.name_zh_hant:
            score = _chinese_similarity(hant, normalise_chinese(candidate.name_zh_hant))
            if score:
                scores.append((score, _("Traditional Chinese name")))
        if hans and candidate.name_zh_hans:
            score = _chinese_similarity(hans, normalise_chinese(candidate.name_zh_hans))
            if score:
                scores.append((score, _("Simplified Chinese name")))
        if scores:
            score, reason = max(scores, key=lambda s: s[0])
            found.append(SimilarCounterpart(candidate, score, reason))
    found.sort(key=lambda s: -s.score)
    return found[:limit]


# --- writes -----------------------------------------------------------------------------


class SimilarCounterpartsExist(ValidationError):
    """Near-identical names are in the directory: the user must look at them and confirm
    that theirs is a different body. Carries the matches for the page to show."""

    def __init__(self, similar: list[SimilarCounterpart]):
        self.similar = similar
        super().__init__(
            _(
                "Names like this one are already in the directory. Use one of them, or "
                "confirm that this is a different body."
            ),
            code="similar",
        )


def _exact_duplicate_errors(counterpart: Counterpart) -> dict[str, list[ValidationError]]:
    """The same name for the same type is refused (the database forbids it for English,
    ignoring case, and for Traditional Chinese; Simplified is held to the same rule), with
    the error on the name that clashes rather than a bare "integrity error"."""
    same_type = Counterpart.objects.filter(type=counterpart.type)
    checks = (
        ("name_en", Q(name_en__iexact=counterpart.name_en)),
        ("name_zh_hant", Q(name_zh_hant=counterpart.name_zh_hant)),
        ("name_zh_hans", Q(name_zh_hans=counterpart.name_zh_hans)),
    )
    errors: dict[str, list[ValidationError]] = {}
    for field, condition in checks:
        value = getattr(counterpart, field)
        if value and same_type.filter(condition).exists():
            errors[field] = [
                ValidationError(
                    _("“%(name)s” is already in the directory as a %(type)s."),
                    code="duplicate",
                    params={
                        "name": value,
                        "type": str(counterpart.get_type_display()).lower(),
                    },
                )
            ]
    return errors


@transaction.atomic
def counterpart_create(
    *,
    user,
    type: str,
    name_en: str = "",
    name_zh_hant: str = "",
    name_zh_hans: str = "",
    region: Region | None = None,
    parent: Counterpart | None = None,
    confirm_similar: bool = False,
) -> Counterpart:
    """Add a body to the shared directory.

    Raises PermissionDenied for those who may not add, ValidationError with field errors
    for invalid input and exact duplicates, and SimilarCounterpartsExist when near-identical
    names exist and the user has not confirmed that theirs is a different body."""
    require_can_add_counterparts(user)
    counterpart = Counterpart(
        type=type,
        name_en=tidy_name(name_en, english=True),
        name_zh_hant=tidy_name(name_zh_hant, english=False),
        name_zh_hans=tidy_name(name_zh_hans, english=False),
        region=region,
        parent=parent,
        created_by=user,
    )
    errors = _exact_duplicate_errors(counterpart)
    try:
        counterpart.full_clean(validate_constraints=not errors)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if not confirm_similar:
        similar = counterparts_similar_to(
            name_en=counterpart.name_en,
            name_zh_hant=counterpart.name_zh_hant,
            name_zh_hans=counterpart.name_zh_hans,
        )
        if similar:
            raise SimilarCounterpartsExist(similar)
    try:
        with transaction.atomic():
            counterpart.save()
    except IntegrityError as exc:
        # Someone added the same name between our check and our save.
        raise ValidationError(
            _("A counterpart of this type with this name exists."), code="duplicate"
        ) from exc
    return counterpart
