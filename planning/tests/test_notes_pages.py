"""The offices' monthly progress notes: written from the office's dashboard, listed by month,
replied to by the bureau, shown next to the status on both dashboards."""

import pytest
from django.urls import reverse

from offices.tests.factories import IndicatorFactory
from planning.models import ProgressNote
from planning.services import note_reply, note_write
from planning.tests.factories import ProgressNoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # 15 June 2026


def write_url(office, indicator, year=2026, month=6):
    return reverse("planning:note_write", args=[office.code, indicator.pk, year, month])


class TestWriting:
    def test_the_office_writes_this_months_note_and_its_dashboard_shows_it(
        self, client_staff_a, office_a, indicator, staff_a
    ):
        dashboard = reverse("offices:detail", args=[office_a.code])
        page = client_staff_a.get(dashboard).content.decode()
        assert "Write this month's note" in page and write_url(office_a, indicator) in page

        assert client_staff_a.get(write_url(office_a, indicator)).status_code == 200
        response = client_staff_a.post(
            write_url(office_a, indicator),
            {"text": "Two visits moved to July at the department's request.", "version": 0},
        )
        assert response.status_code == 302 and response.url == dashboard
        note = ProgressNote.objects.get()
        assert (note.office, note.year, note.month, note.written_by) == (
            office_a,
            2026,
            6,
            staff_a,
        )
        page = client_staff_a.get(dashboard).content.decode()
        assert "Two visits moved to July" in page
        assert "Edit this month's note" in page

    def test_rewriting_keeps_one_note_for_the_month(self, client_staff_a, office_a, indicator):
        note = ProgressNoteFactory(office=office_a, indicator=indicator, month=6)
        page = client_staff_a.get(write_url(office_a, indicator)).content.decode()
        assert note.text.replace("'", "&#x27;") in page
        client_staff_a.post(write_url(office_a, indicator), {"text": "Better.", "version": 1})
        note.refresh_from_db()
        assert (note.text, note.version) == ("Better.", 2)

    def test_last_month_may_be_written_an_older_one_is_not_there(
        self, client_staff_a, office_a, indicator
    ):
        assert client_staff_a.get(write_url(office_a, indicator, month=5)).status_code == 200
        assert client_staff_a.get(write_url(office_a, indicator, month=4)).status_code == 404
        assert client_staff_a.get(write_url(office_a, indicator, month=7)).status_code == 404

    def test_an_empty_note_is_refused_beside_the_field(self, client_staff_a, office_a, indicator):
        response = client_staff_a.post(write_url(office_a, indicator), {"text": "  ", "version": 0})
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
        assert not ProgressNote.objects.exists()

    def test_a_note_changed_meanwhile_is_not_overwritten_and_the_text_is_kept(
        self, client_staff_a, office_a, indicator, supervisor_a
    ):
        client_staff_a.get(write_url(office_a, indicator))  # the form opens on no note: 0
        note_write(
            user=supervisor_a,
            office=office_a,
            indicator=indicator,
            year=2026,
            month=6,
            text="The supervisor's note.",
        )
        response = client_staff_a.post(
            write_url(office_a, indicator), {"text": "My own words.", "version": 0}
        )
        page = response.content.decode()
        assert response.status_code == 409
        assert "changed by someone else" in page or "same moment" in page
        assert "My own words." in page and "The supervisor&#x27;s note." in page
        assert ProgressNote.objects.get().text == "The supervisor's note."
        # sent again, knowingly: the form now carries the version it was shown
        assert str(response.context["form"]["version"].value()) == "1"
        client_staff_a.post(write_url(office_a, indicator), {"text": "My own words.", "version": 1})
        assert ProgressNote.objects.get().text == "My own words."

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("client_staff_b", 404), ("client_bureau", 403), ("client_admin", 403)],
    )
    def test_no_one_else_writes_an_offices_note(
        self, request, persona, status, office_a, indicator
    ):
        client = request.getfixturevalue(persona)
        assert client.get(write_url(office_a, indicator)).status_code == status
        response = client.post(write_url(office_a, indicator), {"text": "Not mine.", "version": 0})
        assert response.status_code == status
        assert not ProgressNote.objects.exists()

    def test_anonymous_is_sent_to_sign_in(self, client, office_a, indicator):
        response = client.get(write_url(office_a, indicator))
        assert response.status_code == 302 and "/accounts/login/" in response.url

    def test_the_bureau_sees_no_write_link(self, client_admin, office_a, indicator):
        page = client_admin.get(reverse("offices:detail", args=[office_a.code])).content.decode()
        assert write_url(office_a, indicator) not in page


class TestReplying:
    @pytest.fixture
    def note(self, office_a, indicator, staff_a):
        return ProgressNoteFactory(
            office=office_a, indicator=indicator, month=6, written_by=staff_a
        )

    def test_a_bureau_admin_replies_and_the_office_reads_it_on_its_dashboard(
        self, client, note, office_a, bureau_admin, staff_a
    ):
        client.force_login(bureau_admin)
        dashboard = client.get(reverse("offices:detail", args=[office_a.code])).content.decode()
        reply_url = reverse("planning:note_reply", args=[note.pk])
        assert reply_url in dashboard
        response = client.post(
            reply_url, {"reply": "Please plan the July visits now.", "version": 1}
        )
        assert response.status_code == 302
        note.refresh_from_db()
        assert (note.reply, note.replied_by) == ("Please plan the July visits now.", bureau_admin)

        client.force_login(staff_a)
        page = client.get(reverse("offices:detail", args=[office_a.code])).content.decode()
        assert "Please plan the July visits now." in page
        assert reply_url not in page  # the office does not reply to itself

    def test_a_reply_to_a_note_rewritten_meanwhile_is_kept_and_refused(
        self, client_admin, note, office_a, indicator, staff_a
    ):
        note_write(
            user=staff_a,
            office=office_a,
            indicator=indicator,
            year=2026,
            month=6,
            text="Rewritten.",
            version=1,
        )
        response = client_admin.post(
            reverse("planning:note_reply", args=[note.pk]), {"reply": "Noted.", "version": 1}
        )
        assert response.status_code == 409
        page = response.content.decode()
        assert "Rewritten." in page and "Noted." in page
        note.refresh_from_db()
        assert note.reply == ""

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("client_staff_a", 403),
            ("client_supervisor_a", 403),
            ("client_staff_b", 404),
            ("client_bureau", 403),
        ],
    )
    def test_only_bureau_admins_reply(self, request, persona, status, note):
        client = request.getfixturevalue(persona)
        url = reverse("planning:note_reply", args=[note.pk])
        assert client.get(url).status_code == status
        assert client.post(url, {"reply": "Mine.", "version": 1}).status_code == status
        note.refresh_from_db()
        assert note.reply == ""


class TestList:
    def test_by_month_with_the_replies_filtered_by_indicator_and_year(
        self, client_staff_a, office_a, unit_a, indicator, bureau_admin
    ):
        media = IndicatorFactory(code="media", name_en="Media")
        may = ProgressNoteFactory(
            office=office_a, indicator=indicator, month=5, text="May, visits."
        )
        note_reply(user=bureau_admin, note=may, reply="Thank you.", version=1)
        ProgressNoteFactory(office=unit_a, indicator=media, month=6, text="June, media, unit.")
        ProgressNoteFactory(office=office_a, indicator=indicator, year=2025, month=12, text="Old.")
        url = reverse("planning:notes", args=[office_a.code])

        page = client_staff_a.get(url).content.decode()
        assert page.index("June, media, unit.") < page.index("May, visits.") < page.index("Old.")
        assert "Thank you." in page
        page = client_staff_a.get(url, {"indicator": media.pk}).content.decode()
        assert "June, media, unit." in page and "May, visits." not in page
        page = client_staff_a.get(url, {"year": 2025}).content.decode()
        assert "Old." in page and "May, visits." not in page

    def test_a_note_of_an_older_month_cannot_be_edited_this_or_last_month_can(
        self, client_staff_a, office_a, indicator
    ):
        ProgressNoteFactory(office=office_a, indicator=indicator, month=5)
        ProgressNoteFactory(office=office_a, indicator=indicator, month=3)
        page = client_staff_a.get(reverse("planning:notes", args=[office_a.code])).content.decode()
        assert write_url(office_a, indicator, month=5) in page
        assert write_url(office_a, indicator, month=3) not in page

    def test_paginated(self, client_staff_a, office_a):
        for _ in range(25):
            ProgressNoteFactory(office=office_a, indicator=IndicatorFactory(), month=6)
        url = reverse("planning:notes", args=[office_a.code])
        response = client_staff_a.get(url)
        assert len(response.context["page"].object_list) == 24
        assert len(client_staff_a.get(url, {"page": 2}).context["page"].object_list) == 1

    def test_empty(self, client_staff_a, office_a):
        page = client_staff_a.get(reverse("planning:notes", args=[office_a.code])).content.decode()
        assert "No notes yet." in page

    def test_another_office_does_not_find_the_page(self, client_staff_b, office_a):
        ProgressNoteFactory(office=office_a)
        assert (
            client_staff_b.get(reverse("planning:notes", args=[office_a.code])).status_code == 404
        )

    def test_query_count(self, client_admin, office_a, unit_a, django_assert_num_queries):
        # session, user, office, its scope, count, page of notes (with office, indicator,
        # writer and replier joined), the filter's indicators, and the session save
        # (savepoint, update, release)
        url = reverse("planning:notes", args=[office_a.code])
        ProgressNoteFactory(office=office_a)
        with django_assert_num_queries(10):
            client_admin.get(url)
        for office in (office_a, unit_a) * 4:
            ProgressNoteFactory(office=office, indicator=IndicatorFactory())
        with django_assert_num_queries(10):
            client_admin.get(url)


def test_the_bureau_dashboard_links_each_offices_latest_note(
    client_bureau, office_a, office_b, indicator
):
    ProgressNoteFactory(office=office_a, indicator=indicator, month=5)
    page = client_bureau.get(reverse("reports:bureau")).content.decode()
    link = reverse("planning:notes", args=[office_a.code]) + f"?indicator={indicator.pk}"
    assert link in page and "Note, May 2026" in page
    assert reverse("planning:notes", args=[office_b.code]) not in page


def test_the_dashboards_latest_note_is_this_month_or_last(client_staff_a, office_a, indicator):
    ProgressNoteFactory(office=office_a, indicator=indicator, month=4, text="April's note.")
    page = client_staff_a.get(reverse("offices:detail", args=[office_a.code])).content.decode()
    assert "April" not in page and "No note this month or last." in page
    ProgressNoteFactory(office=office_a, indicator=indicator, month=5, text="May's note.")
    page = client_staff_a.get(reverse("offices:detail", args=[office_a.code])).content.decode()
    assert "May&#x27;s note." in page
