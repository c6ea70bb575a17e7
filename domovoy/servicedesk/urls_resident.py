"""Pages of the resident's cabinet (/requests/my/…) and of the call centre (/requests/call/…)
for service requests; names are prefixed ``resident_`` and ``callcentre_``."""

from django.urls import path

from . import views_me_too
from . import views_resident as v
from . import views_surveys as vs

urlpatterns = [
    # The resident's cabinet (R1, R4, R7, R12, N2).
    path("my/", v.resident_list, name="resident_list"),
    path("my/new/", v.resident_new, name="resident_new"),
    # The old inbox: now a permanent redirect to the one inbox, /notifications/ (N2).
    path("my/inbox/", v.resident_inbox, name="resident_inbox"),
    path("my/inbox/read/", v.resident_inbox_read, name="resident_inbox_read"),
    # Issue 13: open requests of the resident's buildings with «У меня тоже».
    path("my/building/", views_me_too.resident_building, name="resident_building"),
    path("my/<str:number>/me-too/", views_me_too.resident_me_too, name="resident_me_too"),
    path("my/<str:number>/", v.resident_detail, name="resident_detail"),
    path("my/<str:number>/comment/", v.resident_comment, name="resident_comment"),
    # R13: the satisfaction survey of the request's closing.
    path("my/<str:number>/survey/", vs.resident_survey, name="resident_survey"),
    path("my/<str:number>/file/<int:pk>/", v.resident_attachment, name="resident_attachment"),
    path("my/<str:number>/do/<slug:action>/", v.resident_action, name="resident_action"),
    # Address search for the intake forms (htmx fragments), residents and the call centre.
    path("address/search/", v.address_search, name="resident_address_search"),
    path("address/premises/", v.premises_options, name="resident_premises_options"),
    # The call centre (R1, R11, S2).
    path("call/", v.callcentre_new, name="callcentre_new"),
    path("call/context/", v.callcentre_context, name="callcentre_context"),
    path("call/log/", v.callcentre_calls, name="callcentre_calls"),
    path("call/search/", v.callcentre_search, name="callcentre_search"),
    path("call/callbacks/", v.callcentre_callbacks, name="callcentre_callbacks"),
    path("call/surveys/", vs.callcentre_surveys, name="callcentre_surveys"),
    path("call/surveys/<int:pk>/", vs.callcentre_survey_answer, name="callcentre_survey_answer"),
    path("call/r/<str:number>/", v.callcentre_request, name="callcentre_request"),
    path(
        "call/r/<str:number>/file/<int:pk>/", v.callcentre_attachment, name="callcentre_attachment"
    ),
    path("call/r/<str:number>/attempt/", v.callcentre_attempt, name="callcentre_attempt"),
    path("call/r/<str:number>/do/<slug:action>/", v.callcentre_action, name="callcentre_action"),
]
