from django.urls import path

from backend.outcomes.api import QuestionnaireListView

urlpatterns = [
    path("questionnaires/", QuestionnaireListView.as_view(), name="questionnaires"),
]
