from django.contrib.auth import views as auth_views
from django.urls import path

from .views import home, reminders, signin, tokens

app_name = "accounts"

urlpatterns = [
    path("login/", signin.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", home.set_language, name="set_language"),
    path("reminders/", reminders.reminder_settings, name="reminders"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_confirm, name="token_revoke"),
]
