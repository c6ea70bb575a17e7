"""Routes of the service-request API under /api/v1/ (see ``api.py``). Every action of the
workflow table gets its own route, all served by the one ``RequestActionView``."""

from django.urls import path

from . import api, api_calls, api_classifier, api_statistics
from .workflow import TRANSITIONS

urlpatterns = [
    path("topics/", api.TopicListView.as_view(), name="sd-topic-list"),
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
    path("requests/", api.RequestListView.as_view(), name="sd-request-list"),
    path("requests/<int:pk>/", api.RequestDetailView.as_view(), name="sd-request-detail"),
    path(
        "requests/<int:pk>/actions/",
        api.RequestAllowedActionsView.as_view(),
        name="sd-request-actions",
    ),
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
