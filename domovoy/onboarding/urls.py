from django.urls import path

from . import views

urlpatterns = [
    path("", views.apply, name="apply"),
    path("template/<str:kind>/", views.template, name="template"),
    path("r/<str:token>/", views.status, name="status"),
    path("r/<str:token>/correct/", views.correct, name="correct"),
    path("r/<str:token>/progress/", views.status_progress, name="status_progress"),
    path("queue/", views.queue, name="queue"),
    path("contractors/", views.apply_contractor, name="apply_contractor"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/files/<str:name>/", views.stored_file, name="file"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/request-changes/", views.request_changes, name="request_changes"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/handed-over/", views.handed_over, name="handed_over"),
]
