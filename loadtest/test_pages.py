"""The load test works through the real pages (loadtest/pages.py reads their forms). These
tests check that it reads a form as a browser sends it, and that the activity form, as the
application renders it, saves when sent back that way: a renamed field breaks them here
rather than as failures in a load run. Part of `make test`, which never starts the load
itself."""

import pytest
from django.urls import reverse

from loadtest import pages

FORM = """
<form method="post" action="/things/new/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <select name="kind"><option value="a">A</option><option value="b">B</option></select>
  <select name="region">
    <option value="">Choose</option>
    <optgroup label="Yours"><option value="13" selected>Guangdong</option></optgroup>
  </select>
  <select name="tags" multiple><option value="1">One</option><option value="2">Two</option></select>
  <select name="plain"><option>Text only</option></select>
  <input type="checkbox" name="box" value="1">
  <input type="checkbox" name="ticked" checked>
  <textarea name="notes">
first line</textarea>
  <button type="submit" name="save">Save</button>
</form>
<ul class="messages"><li class="message message--success">Saved &ldquo;x&rdquo;.</li></ul>
"""


def test_a_form_is_read_as_a_browser_sends_it():
    form = pages.find_form(FORM, action="/things/new/")
    assert form.values() == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("kind", "a"),  # nothing selected: the first option
        ("region", "13"),
        ("plain", "Text only"),  # an option without a value sends its text
        ("ticked", "on"),
        ("notes", "first line"),  # the newline after <textarea> is not part of the value
    ]
    assert [o.group for o in form.options("region")] == ["Yours"]
    assert pages.messages(FORM) == [("success", "Saved \u201cx\u201d.")]


@pytest.mark.django_db
def test_the_activity_form_saves_when_sent_back_as_the_load_test_does(
    client_staff_a, office_a, indicator
):
    indicator.asks_event_name = True
    indicator.save()
    html = client_staff_a.get(reverse("activities:create")).content.decode()
    form = pages.find_form(html, has_field="title")
    config = pages.json_script(html, "indicator-config")
    assert config[str(indicator.pk)]["asks_event_name"] is True
    values = dict(form.values())
    values.update(title="loadtest form", event_name="Forum", indicator=str(indicator.pk))

    response = client_staff_a.post(reverse("activities:create"), {**values, "save": ""})

    assert response.status_code == 302
    page = client_staff_a.get(response["Location"]).content.decode()
    assert [level for level, _text in pages.messages(page)] == ["success"]
    assert "loadtest form" in page


def test_the_list_filter_by_office_is_sent_as_the_load_test_does(client_bureau, office_a, office_b):
    """The viewers' filtered list reads the office filter's choices off the list page: a
    filter the form would refuse (a code where it takes an id) fails the whole load run."""
    html = client_bureau.get(reverse("activities:list")).content.decode()
    choices = pages.select_choices(html, "office")
    assert set(choices) >= {str(office_a.pk), str(office_b.pk)}
    for choice in choices:
        response = client_bureau.get(reverse("activities:list"), {"office": choice})
        assert response.status_code == 200
