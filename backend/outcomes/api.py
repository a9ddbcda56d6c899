"""``GET /api/v1/questionnaires/``: the validated questionnaires, with mine due or not."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.outcomes.selectors import catalogue_for
from backend.outcomes.serializers import ScorePointSerializer
from backend.programs.serializers import SourceRefSerializer


class AnswerSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="What is sent in answers for this choice.")
    label = serializers.CharField()
    points = serializers.IntegerField(
        help_text="What this answer counts for in the score (reverse-scored items differ from value)."
    )


class ItemSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The key of this question in answers.")
    text = serializers.CharField(help_text="The question, exactly as the instrument's authors wrote it.")
    min_label = serializers.CharField(required=False, help_text="0-10 items: what the low end means.")
    max_label = serializers.CharField(required=False, help_text="0-10 items: what the high end means.")
    answers = AnswerSerializer(many=True)


class ScoreRangeSerializer(serializers.Serializer):
    min = serializers.FloatField()
    max = serializers.FloatField()
    higher_is = serializers.ChoiceField(choices=["worse", "better"])
    decimals = serializers.IntegerField()
    method = serializers.ChoiceField(
        choices=["mean", "sum", "startback"], help_text="How the points make the score."
    )


class SubscaleSerializer(serializers.Serializer):
    id = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    positive_at = serializers.IntegerField(allow_null=True, help_text="A positive screen from this sum.")


class SupportRuleSerializer(serializers.Serializer):
    total_at = serializers.IntegerField(help_text="A total from this score asks for support.")
    subscale = serializers.CharField(help_text="A positive screen on this subscale asks for support too.")


class BandSerializer(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    words = serializers.CharField()


class MeaningfulChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["percent", "points"])
    value = serializers.FloatField()
    direction = serializers.ChoiceField(choices=["fall", "rise"])
    words = serializers.CharField()


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    text = serializers.CharField(help_text="The terms, as the instrument's holders state them.")
    url = serializers.CharField(required=False)
    commercial_use = serializers.BooleanField(
        help_text="false: free for non-commercial use only (hidden when QUESTIONNAIRES_NONCOMMERCIAL is off)."
    )


class QuestionnaireSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    minutes = serializers.IntegerField()
    purpose = serializers.CharField()
    recall = serializers.CharField(help_text="The period the questions ask about.")
    instructions = serializers.CharField()
    items = ItemSerializer(many=True)
    score = ScoreRangeSerializer()
    subscales = SubscaleSerializer(many=True)
    support = SupportRuleSerializer(
        allow_null=True, help_text="When an answer opens the support offer (the crisis path)."
    )
    bands = BandSerializer(many=True, help_text="Published bands or risk groups; empty when there are none.")
    meaningful_change = MeaningfulChangeSerializer(
        allow_null=True, help_text="The published minimal important change."
    )
    licence = LicenceSerializer()
    sources = SourceRefSerializer(many=True)
    every_days = serializers.IntegerField(allow_null=True)
    at_days = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    due = serializers.BooleanField(help_text="Due today and not answered today.")
    due_date = serializers.DateField(
        allow_null=True, help_text="When it falls due; null: nothing more is due."
    )
    baseline = ScorePointSerializer(allow_null=True, help_text="My first answer.")
    latest = ScorePointSerializer(allow_null=True, help_text="My latest answer.")


class QuestionnaireListView(APIView):
    """Every validated questionnaire this server offers, its licence and sources, and
    for the caller whether it is due, their baseline and latest score."""

    @extend_schema(responses=QuestionnaireSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(catalogue_for(request.user))
