"""Routes of the service-request API under /api/v1/ (see ``api.py``). Every action of the
workflow table gets its own route, all served by the one ``RequestActionView``."""

from django.urls import path

from . import (
    api,
    api_calls,
    api_classifier,
    api_me_too,
    api_public,
    api_statistics,
    api_surveys,
    api_watch,
)
from .workflow import TRANSITIONS

urlpatterns = [
    # The intake first: the busiest route (issue 10).
    path("requests/", api.RequestListView.as_view(), name="sd-request-list"),
    path("topics/", api.TopicListView.as_view(), name="sd-topic-list"),
    # Open data (R17, S5): no login.
    path("public/requests/", api_public.PublicRequestListView.as_view(), name="sd-public-requests"),
    # The call centre (R1, R11, issue 11).
    path("calls/", api_calls.CallListView.as_view(), name="sd-call-list"),
    path("calls/<int:pk>/", api_calls.CallDetailView.as_view(), name="sd-call-detail"),
    path("call-attempts/", api_calls.CallAttemptListView.as_view(), name="sd-call-attempt-list"),
    path(
        "call-attempts/<int:pk>/",
        api_calls.CallAttemptDetailView.as_view(),
        name="sd-call-attempt-detail",
    ),
    path("call-screen/", api_calls.CallScreenView.as_view(), name="sd-call-screen"),
    # Classifier management (R2, G 3.5.2): the functional operator's.
    path(
        "classifier/topics/",
        api_classifier.ClassifierTopicListView.as_view(),
        name="sd-classifier-topics",
    ),
    path(
        "classifier/topics/<int:pk>/",
        api_classifier.ClassifierTopicDetailView.as_view(),
        name="sd-classifier-topic",
    ),
    path(
        "classifier/topics/<int:pk>/deactivate/",
        api_classifier.ClassifierTopicDeactivateView.as_view(),
        name="sd-classifier-topic-deactivate",
    ),
    path(
        "classifier/topics/<int:pk>/history/",
        api_classifier.ClassifierTopicHistoryView.as_view(),
        name="sd-classifier-topic-history",
    ),
    # The deadline control (R14).
    path(
        "control-lists/<slug:kind>/",
        api_watch.ControlListView.as_view(),
        name="sd-control-list",
    ),
    path(
        "requests/<int:pk>/advance-notices/",
        api_watch.AdvanceNoticeListView.as_view(),
        name="sd-request-advance-notices",
    ),
    # R13: the survey and the control body's appeals.
    path("requests/<int:pk>/survey/", api_surveys.RequestSurveyView.as_view(), name="sd-survey"),
    path("surveys/call-list/", api_surveys.CallListView.as_view(), name="sd-survey-call-list"),
    path("appeals/", api_surveys.AppealListView.as_view(), name="sd-appeal-list"),
    # Statistics (R18), from the daily rollups.
    path(
        "statistics/summary/",
        api_statistics.StatisticsSummaryView.as_view(),
        name="sd-statistics-summary",
    ),
    path(
        "statistics/organizations/",
        api_statistics.StatisticsOrganizationsView.as_view(),
        name="sd-statistics-organizations",
    ),
    path(
        "statistics/topics/",
        api_statistics.StatisticsTopicsView.as_view(),
        name="sd-statistics-topics",
    ),
    path("requests/<int:pk>/", api.RequestDetailView.as_view(), name="sd-request-detail"),
    path(
        "requests/<int:pk>/actions/",
        api.RequestAllowedActionsView.as_view(),
        name="sd-request-actions",
    ),
    # Issue 13: «У меня тоже».
    path("requests/<int:pk>/me-too/", api_me_too.RequestMeTooView.as_view(), name="sd-me-too"),
    path("requests/<int:pk>/comments/", api.CommentListView.as_view(), name="sd-request-comments"),
    path(
        "requests/<int:pk>/attachments/<int:attachment_id>/",
        api.AttachmentDownloadView.as_view(),
        name="sd-attachment",
    ),
    path(
        "requests/<int:pk>/attachments/<int:attachment_id>/thumbnail/",
        api.AttachmentDownloadView.as_view(thumbnail=True),
        name="sd-attachment-thumbnail",
    ),
    path(
        "requests/<int:pk>/events/<int:event_id>/document/",
        api.EventDocumentView.as_view(),
        name="sd-event-document",
    ),
    *[
        path(
            f"requests/<int:pk>/{transition.action.value}/",
            api.RequestActionView.as_view(workflow_action=transition.action.value),
            name=f"sd-request-{transition.action.value}",
        )
        for transition in TRANSITIONS
    ],
]
