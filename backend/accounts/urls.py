from django.urls import path

from backend.accounts.api import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
]
