from django.urls import path

from . import views

urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_create, name="create"),
    path("queue/", views.feedback_queue, name="queue"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/decide/", views.feedback_decide, name="decide"),
]
