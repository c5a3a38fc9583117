from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_reminders, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("reminders/", views_reminders.reminder_settings, name="reminders"),
    path("tokens/", views_tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke_confirm, name="token_revoke"),
]
