from django.contrib.auth import views as auth_views
from django.urls import path

from .views import home, invitation, password, people, reminders, security, sessions, signin, tokens

app_name = "accounts"

urlpatterns = [
    path("login/", signin.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", home.set_language, name="set_language"),
    path("reminders/", reminders.reminder_settings, name="reminders"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_confirm, name="token_revoke"),
    # Sign-in and security: the person's own password, sessions and two-step sign-in.
    path("login/code/", signin.login_code, name="login_code"),
    path("security/", security.security, name="security"),
    path("password/", password.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        password.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", password.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/", password.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        password.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/end-others/", sessions.sessions_end, name="sessions_end"),
    path("two-step/on/", security.two_factor_enrol, name="two_factor_enrol"),
    path("two-step/off/", security.two_factor_disable, name="two_factor_disable"),
    path("two-step/recovery-codes/", security.recovery_codes, name="recovery_codes"),
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
