"""Helpers for the planning pages' tests."""

from django.test import Client

SECRET_TITLE = "Secret talks on the bay area rail link"
SECRET_PURPOSE = "Sound out the department on the rail link"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def content(response) -> str:
    return response.content.decode()
