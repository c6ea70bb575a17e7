from django.urls import path

from . import views

urlpatterns = [
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/license-scan/", views.license_scan, name="license_scan"),
    path("organizations/<int:pk>/links/", views.service_link_add, name="service_link_add"),
    path("organizations/<int:pk>/staff/", views.staff, name="staff"),
    path("organizations/<int:pk>/departments/", views.department_add, name="department_add"),
    path("organizations/<int:pk>/employees/", views.employee_add, name="employee_add"),
    path("employees/<int:pk>/roles/", views.employee_roles, name="employee_roles"),
    path("employees/<int:pk>/deactivate/", views.employee_deactivate, name="employee_deactivate"),
    path("buildings/", views.building_list, name="buildings"),
    path("buildings/map/", views.building_map, name="buildings_map"),
    path("buildings/geojson/", views.building_geojson, name="buildings_geojson"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("buildings/<int:pk>/management/", views.management_add, name="management_add"),
    path("management/<int:pk>/close/", views.management_close, name="management_close"),
]
