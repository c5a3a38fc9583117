"""The OpenAPI schema tells the truth: every status an operation can answer is declared
with its body and headers, what can be null is nullable, and each input's range is the
one the API refuses outside of. (What the API actually answers is checked against it by
test_schema_fuzz.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import models
from drf_spectacular.drainage import get_override
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from api import serializers as api_serializers
from api.serializers import MAX_ID, MAX_LINKS, MAX_VERSION
from offices.models import FIRST_DAY, LAST_DAY


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def component(schema: dict, ref_or_name: str) -> dict:
    return schema["components"]["schemas"][ref_or_name.rsplit("/", 1)[-1]]


def operation(schema: dict, method: str, path: str) -> dict:
    return schema["paths"][path][method]


def parameter(schema: dict, method: str, path: str, name: str) -> dict:
    [found] = [p for p in operation(schema, method, path)["parameters"] if p["name"] == name]
    return found


def request_properties(schema: dict, method: str, path: str) -> dict:
    body = operation(schema, method, path)["requestBody"]["content"]["application/json"]
    return component(schema, body["schema"]["$ref"])["properties"]


# --- every status, with its body and headers ---------------------------------------------------

# Any request: malformed (400), credentials (401), Accept (406), rate (429), the database
# out of reach (503).
ANY = {400, 401, 406, 429, 503}
ONE = ANY | {404}  # an object named in the path
LISTED = ANY | {404}  # a page past the last
WRITE = ANY | {403, 404, 413, 415}  # a body read; refused to the person or without CSRF
VERSIONED = WRITE | {409, 412, 428}  # names the version it changes
BUREAU = {403}  # refused outside the bureau

ANSWERS = {
    ("get", "/api/v1/regions/"): {200} | ANY,
    ("get", "/api/v1/regions/{code}/"): {200} | ONE,
    ("get", "/api/v1/offices/"): {200} | ANY,
    ("get", "/api/v1/offices/{code}/"): {200} | ONE,
    ("get", "/api/v1/indicators/"): {200} | ANY,
    ("get", "/api/v1/indicators/{code}/"): {200} | ONE,
    ("get", "/api/v1/counterparts/"): {200} | LISTED,
    ("get", "/api/v1/counterparts/{id}/"): {200} | ONE,
    ("get", "/api/v1/activities/"): {200} | LISTED,
    ("post", "/api/v1/activities/"): {201} | WRITE - {404},
    ("get", "/api/v1/activities/{id}/"): {200} | ONE,
    ("put", "/api/v1/activities/{id}/"): {200} | VERSIONED,
    ("patch", "/api/v1/activities/{id}/"): {200} | VERSIONED,
    ("post", "/api/v1/activities/{id}/submit/"): {200} | WRITE,
    ("post", "/api/v1/activities/{id}/verify/"): {200} | WRITE,
    ("post", "/api/v1/activities/{id}/return/"): {200} | WRITE,
    ("post", "/api/v1/activities/{id}/remove/"): {200} | VERSIONED,
    ("get", "/api/v1/reports/"): {200} | LISTED | BUREAU,
    ("post", "/api/v1/reports/"): {202} | WRITE - {404},
    ("get", "/api/v1/reports/{id}/"): {200} | ONE | BUREAU,
    # 409: the stored file does not match its SHA-256, and is not served
    ("get", "/api/v1/reports/{id}/download/"): {200, 409} | ONE | BUREAU,
    ("get", "/api/v1/targets/"): {200} | ANY | BUREAU,
    ("get", "/api/v1/progress/"): {200, 404} | ANY | BUREAU,  # an office's code
    ("get", "/api/v1/plans/"): {200} | LISTED,
    ("post", "/api/v1/plans/"): {201} | WRITE - {404},
    ("post", "/api/v1/plans/check/"): {200} | WRITE,  # 404: the plan being changed
    ("get", "/api/v1/plans/{id}/"): {200} | ONE,
    ("put", "/api/v1/plans/{id}/"): {200} | VERSIONED,
    ("patch", "/api/v1/plans/{id}/"): {200} | VERSIONED,
    ("post", "/api/v1/plans/{id}/confirm/"): {200} | WRITE,
    ("post", "/api/v1/plans/{id}/cancel/"): {200} | WRITE,
    ("post", "/api/v1/plans/{id}/log/"): {201} | WRITE,
    ("get", "/api/v1/plans/{id}/warnings/"): {200} | ONE,
    ("get", "/api/v1/plan-conflicts/"): {200} | LISTED,
    ("get", "/api/v1/plan-conflicts/{id}/"): {200} | ONE,
    ("post", "/api/v1/plan-conflicts/{id}/close/"): {200} | WRITE,
    ("get", "/api/v1/progress-notes/"): {200} | LISTED,
    ("post", "/api/v1/progress-notes/"): {201, 409} | WRITE - {404},  # 409: written already
    ("get", "/api/v1/progress-notes/{id}/"): {200} | ONE,
    ("put", "/api/v1/progress-notes/{id}/"): {200} | VERSIONED,
    ("patch", "/api/v1/progress-notes/{id}/"): {200} | VERSIONED,
    ("post", "/api/v1/progress-notes/{id}/reply/"): {200} | VERSIONED,
}


def test_every_operation_declares_every_status_it_can_answer(schema):
    declared = {
        (method, path): {int(code) for code in op["responses"]}
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }
    assert set(declared) == set(ANSWERS), "a new operation needs its row here"
    assert {key: codes for key, codes in declared.items() if codes != ANSWERS[key]} == {}


def test_every_refusal_has_a_json_body(schema):
    bodies = {400: "ValidationError", 409: "Conflict", 412: "Conflict"}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            for code, response in op["responses"].items():
                if code.startswith("2"):
                    continue
                ref = response["content"]["application/json"]["schema"]["$ref"]
                body = bodies.get(int(code), "Error")
                if (method, path, code) == ("get", "/api/v1/reports/{id}/download/", "409"):
                    body = "FileAltered"  # with the SHA-256 recorded, not what changed
                assert ref.endswith("/" + body), (method, path, code)
                assert response["description"], (method, path, code)
    assert component(schema, "Error")["required"] == ["detail"]
    assert component(schema, "ValidationError")["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_the_headers_that_come_with_an_answer_are_declared(schema):
    def headers(method, path, code) -> dict:
        answer = operation(schema, method, path)["responses"][str(code)]
        return {name: h["required"] for name, h in answer.get("headers", {}).items()}

    for path, methods in schema["paths"].items():
        for method in methods:
            assert headers(method, path, 401) == {"WWW-Authenticate": True}
            assert headers(method, path, 429) == {"Retry-After": False}
            assert headers(method, path, 503) == {"Retry-After": True}
    activity = "/api/v1/activities/{id}/"
    for method, path in [("get", activity), ("put", activity), ("patch", activity)] + [
        ("post", f"{activity}{action}/") for action in ("submit", "verify", "return", "remove")
    ]:
        assert headers(method, path, 200) == {"ETag": True}, (method, path)
    for method, path in [("put", activity), ("post", f"{activity}remove/")]:
        assert headers(method, path, 409) == headers(method, path, 412) == {"ETag": True}
    assert headers("post", "/api/v1/activities/", 201) == {"ETag": True, "Location": True}
    assert headers("post", "/api/v1/reports/", 202) == {"Location": True}
    assert headers("get", "/api/v1/reports/{id}/download/", 200) == {
        "Repr-Digest": True,
        "Content-Disposition": True,
    }


def test_remove_takes_the_version_as_an_edit_does(schema):
    remove = operation(schema, "post", "/api/v1/activities/{id}/remove/")
    edit = operation(schema, "patch", "/api/v1/activities/{id}/")
    assert parameter(schema, "post", "/api/v1/activities/{id}/remove/", "If-Match") == (
        parameter(schema, "patch", "/api/v1/activities/{id}/", "If-Match")
    )
    for code in ("409", "412", "428"):
        assert remove["responses"][code]["content"] == edit["responses"][code]["content"]
    assert (
        request_properties(schema, "post", "/api/v1/activities/{id}/remove/")["version"]
        == (request_properties(schema, "patch", "/api/v1/activities/{id}/")["version"])
    )


# --- nullable ----------------------------------------------------------------------------------


def _read_serializers():
    """Every serializer of the API that answers, with its component's name."""
    for name, cls in vars(api_serializers).items():
        if (
            isinstance(cls, type)
            and issubclass(cls, serializers.ModelSerializer)
            and cls.__module__.startswith(f"{api_serializers.__name__}.")
        ):
            yield name.removesuffix("Serializer"), cls


def _model_field(model, source: str):
    try:
        field = model._meta.get_field(source)
    except Exception:  # noqa: BLE001 (a property or a method: not a column)
        return None
    return field if isinstance(field, models.Field) and field.concrete else None


def test_every_model_serializer_is_checked():
    """The nullable check below runs over the API's model serializers, found by where they
    are defined: if that finds none (a module moved), it would check nothing."""
    assert {name for name, _cls in _read_serializers()} >= {
        "Activity",
        "Counterpart",
        "Office",
        "PublishedReport",
    }


@pytest.mark.parametrize(("name", "cls"), list(_read_serializers()))
def test_what_can_be_null_is_nullable(schema, name, cls):
    properties = component(schema, name)["properties"]
    wrong = {}
    for field_name, field in cls().fields.items():
        model_field = _model_field(cls.Meta.model, field.source)
        shown = field
        if isinstance(field, serializers.SerializerMethodField):  # as its method declares
            shown = get_override(getattr(cls, field.method_name), "field")
        can_be_null = shown.allow_null or bool(model_field and model_field.null)
        says = properties[field_name].get("nullable", False)
        if can_be_null != says and not getattr(field, "many", False):
            wrong[field_name] = {"can be null": can_be_null, "schema says": says}
    assert wrong == {}


def test_a_counterpart_without_a_region_is_null_in_the_schema(schema):
    region = component(schema, "Counterpart")["properties"]["region"]
    assert region["nullable"] is True


# --- ranges ------------------------------------------------------------------------------------


def _allows(prop: dict, day: dt.date) -> bool:
    assert prop["format"] == "date"
    return re.search(prop["pattern"], day.isoformat()) is not None


def _day_range_of(prop: dict) -> tuple[bool, ...]:
    """Whether the day before FIRST_DAY, FIRST_DAY, LAST_DAY and the day after pass."""
    days = (FIRST_DAY - dt.timedelta(days=1), FIRST_DAY, LAST_DAY, LAST_DAY + dt.timedelta(days=1))
    return tuple(_allows(prop, day) for day in days)


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("post", "/api/v1/activities/", "occurred_on"),
        ("put", "/api/v1/activities/{id}/", "occurred_on"),
        ("post", "/api/v1/reports/", "date_from"),
        ("post", "/api/v1/reports/", "date_to"),
    ],
)
def test_days_written_have_the_range_of_the_forms(schema, method, path, name):
    prop = request_properties(schema, method, path)[name]
    assert _day_range_of(prop) == (False, True, True, False)
    assert f"From {FIRST_DAY} to {LAST_DAY}." in prop["description"]


@pytest.mark.parametrize("path", ["/api/v1/activities/", "/api/v1/progress/"])
def test_as_of_days_have_the_range_of_the_forms(schema, path):
    prop = parameter(schema, "get", path, "as_of")["schema"]
    assert _day_range_of(prop) == (False, True, True, False)


@pytest.mark.parametrize("path", ["/api/v1/activities/", "/api/v1/counterparts/"])
def test_page_sizes_are_declared(schema, path):
    assert parameter(schema, "get", path, "page")["schema"] == {"type": "integer", "minimum": 1}
    assert parameter(schema, "get", path, "page_size")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "default": 50,
    }


def test_numbers_have_their_range(schema):
    for method, path in [
        ("put", "/api/v1/activities/{id}/"),
        ("post", "/api/v1/activities/{id}/remove/"),
    ]:
        version = request_properties(schema, method, path)["version"]
        assert (version["minimum"], version["maximum"]) == (1, MAX_VERSION)
    year = parameter(schema, "get", "/api/v1/reports/", "year")["schema"]
    assert year == {"type": "integer", "minimum": 2000, "maximum": 2100}
    for path in ("/api/v1/targets/", "/api/v1/progress/"):
        year = parameter(schema, "get", path, "year")["schema"]
        assert (year["type"], year["minimum"], year["maximum"]) == ("integer", 2000, 2100)


def test_lists_and_codes_written_have_their_limits(schema):
    activity = request_properties(schema, "post", "/api/v1/activities/")
    for name in ("counterparts", "partners"):
        assert activity[name]["maxItems"] == MAX_LINKS
        assert activity[name]["items"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    offices = activity["participating_offices"]
    assert offices["maxItems"] == MAX_LINKS
    assert offices["items"]["maxLength"] == activity["lead_office"]["maxLength"] == 12
    assert re.fullmatch(offices["items"]["pattern"].strip("^$"), "GDETO")
    assert not re.fullmatch(offices["items"]["pattern"].strip("^$"), "gdeto")
    assert activity["region"]["maxLength"] == 6
    assert activity["indicator"]["maxLength"] == 40
    assert activity["title"]["maxLength"] == 200
    assert request_properties(schema, "post", "/api/v1/activities/{id}/remove/")["reason"][
        "maxLength"
    ] == (1000)


def test_ids_in_paths_are_the_digits_the_routes_take(schema):
    """A longer number, or anything but digits, matches no route (a 404 in JSON)."""
    for path, methods in schema["paths"].items():
        for method in methods:
            if "{id}" in path:
                assert parameter(schema, method, path, "id")["schema"] == {
                    "type": "string",
                    "pattern": "^[0-9]{1,18}$",
                }, (method, path)


def test_codes_in_paths_are_the_characters_codes_are_made_of(schema):
    for path, methods in schema["paths"].items():
        for method in methods:
            if "{code}" in path:
                assert parameter(schema, method, path, "code")["schema"]["pattern"] == (
                    "^[-a-zA-Z0-9_]{1,40}$"
                ), (method, path)


# --- plans ---------------------------------------------------------------------------------------


def test_a_plans_summary_is_documented_field_by_field(schema):
    """A plan seen as a summary has every field but the summary's null: the schema says so
    of each, and the summary's own fields are never null."""
    from api.serializers.planning import SUMMARY_FIELDS

    properties = component(schema, "Plan")["properties"]
    assert "summary" in properties["detail"]["description"]
    for name, prop in properties.items():
        if name in SUMMARY_FIELDS:
            assert not prop.get("nullable"), name
        else:
            assert prop.get("nullable") is True, name
            assert "detail" in prop.get("description", ""), name


def test_warnings_come_in_the_body_of_a_bad_request(schema):
    warnings = component(schema, "ValidationError")["properties"]["warnings"]
    assert warnings["items"]["$ref"].endswith("/PlanWarning")
    assert "warning_reason" in request_properties(schema, "post", "/api/v1/plans/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/plans/{id}/"),
        ("patch", "/api/v1/plans/{id}/"),
        ("put", "/api/v1/progress-notes/{id}/"),
        ("post", "/api/v1/progress-notes/{id}/reply/"),
    ],
)
def test_plans_and_notes_take_the_version_as_activities_do(schema, method, path):
    activity = "/api/v1/activities/{id}/"
    assert parameter(schema, method, path, "If-Match") == parameter(
        schema, "patch", activity, "If-Match"
    )
    assert (
        request_properties(schema, method, path)["version"]
        == (request_properties(schema, "patch", activity)["version"])
    )
    for code in ("409", "412", "428"):
        assert (
            operation(schema, method, path)["responses"][code]["content"]
            == (operation(schema, "patch", activity)["responses"][code]["content"])
        )
