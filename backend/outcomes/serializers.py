"""Shapes of questionnaire scores as summaries and the clinician's list carry them
(apart from ``api.py`` so the tracker and care serializers can use them)."""

from __future__ import annotations

from rest_framework import serializers


class ScorePointSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField()
    band = serializers.CharField(required=False, allow_null=True)


class OutcomePointSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    date = serializers.DateField()
    score = serializers.FloatField()
    band = serializers.CharField(allow_null=True)


class OutcomeChangeSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    baseline = ScorePointSerializer(help_text="The first answer ever: the baseline.")
    latest = ScorePointSerializer()
    change = serializers.FloatField(allow_null=True, help_text="latest - baseline; null with one answer.")
    percent = serializers.IntegerField(allow_null=True, help_text="The change as a percent of the baseline.")
    meaningful = serializers.BooleanField(
        help_text="The change reaches the instrument's published minimal important change."
    )
    words = serializers.CharField(help_text="The change in plain words, with the numbers.")


class PatientOutcomeSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    short_title = serializers.CharField()
    latest = ScorePointSerializer()
    baseline = ScorePointSerializer()
    change = serializers.FloatField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    meaningful = serializers.BooleanField()
