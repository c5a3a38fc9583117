from django.contrib.auth import views as auth_views
from django.urls import path

from .views import home, invitation, people, reminders, signin, tokens

app_name = "accounts"

urlpatterns = [
    path("login/", signin.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", home.set_language, name="set_language"),
    path("reminders/", reminders.reminder_settings, name="reminders"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_confirm, name="token_revoke"),
]

# People (docs/guide-bureau-admin.md, "People") and accepting an invitation.
urlpatterns += [
    path("people/", people.people_list, name="people"),
    path("people/add/", people.person_add, name="person_add"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/invite/", people.person_invite_again, name="person_invite"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path(
        "invitation/<uidb64>/<token>/",
        invitation.AcceptInvitationView.as_view(),
        name="invitation",
    ),
]
