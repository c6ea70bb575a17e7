from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("organizations", api.OrganizationViewSet, basename="organization")
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("employees", api.EmployeeViewSet, basename="employee")
router.register("buildings", api.BuildingViewSet, basename="building")
router.register("premises", api.PremisesViewSet, basename="premises")
router.register("accounts", api.AccountViewSet, basename="account")
router.register("management-periods", api.ManagementPeriodViewSet, basename="management-period")
router.register("service-links", api.ServiceLinkViewSet, basename="service-link")

urlpatterns = router.urls
