from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/email/", views.email_change, name="email_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<id:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Passwords (Django's views and tokens, the platform's templates).
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<str:uidb64>/<str:token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Officers' accounts.
    path("officers/", views.officer_list, name="officer_list"),
    path("officers/new/", views.officer_create, name="officer_create"),
    path("officers/<id:pk>/", views.officer_detail, name="officer_detail"),
    path("officers/<id:pk>/grants/", views.grant_add, name="grant_add"),
    path("officers/<id:pk>/deactivate/", views.officer_deactivate, name="officer_deactivate"),
    path("officers/<id:pk>/reactivate/", views.officer_reactivate, name="officer_reactivate"),
    path("officers/<id:pk>/password-link/", views.officer_password_mail, name="officer_password_mail"),
    path("grants/<id:pk>/remove/", views.grant_remove, name="grant_remove"),
]
