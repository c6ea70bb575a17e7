"""Pages of the executors and controllers (R4–R6, R8, R10, R14, R18, R19), under /requests/.
Route names start with ``staff_`` in the «servicedesk» namespace; all paths are under fixed
prefixes (queue/, work/, control/, stats/, failures/) so they never collide with the resident's
pages."""

from django.urls import path

from . import views_staff as v
from . import views_surveys as vs

urlpatterns = [
    path("queue/", v.staff_queue, name="staff_queue"),
    path("queue/live/", v.staff_queue_live, name="staff_queue_live"),
    path("queue/accept/", v.staff_bulk_accept, name="staff_bulk_accept"),
    path("work/<str:number>/", v.staff_detail, name="staff_detail"),
    path("work/<str:number>/act/<slug:action>/", v.staff_action, name="staff_action"),
    path(
        "work/<str:number>/redirect-options/<slug:field>/",
        v.staff_redirect_options,
        name="staff_redirect_options",
    ),
    path("work/<str:number>/comment/", v.staff_comment, name="staff_comment"),
    path(
        "work/<str:number>/advance-notice/",
        v.staff_advance_notice,
        name="staff_advance_notice",
    ),
    path("work/<str:number>/file/<int:pk>/", v.staff_attachment, name="staff_attachment"),
    path(
        "work/<str:number>/document/<int:event_id>/",
        v.staff_event_document,
        name="staff_event_document",
    ),
    path("control/<slug:kind>/", v.staff_list, name="staff_list"),
    path("stats/", v.staff_stats, name="staff_stats"),
    path("failures/", v.staff_failures, name="staff_failures"),
    # R13: the control body's appeals.
    path("appeals/", vs.staff_appeals, name="staff_appeals"),
    path("appeals/<int:pk>/", vs.staff_appeal, name="staff_appeal"),
    path("stats/xlsx/", v.staff_stats_xlsx, name="staff_stats_xlsx"),
]
