"""Work-order routes, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .api import WorkOrderTemplateVersionViewSet, WorkOrderTemplateViewSet, WorkOrderViewSet

router = SimpleRouter()
router.register("work-order-templates", WorkOrderTemplateViewSet, basename="work-order-template")
router.register(
    "work-order-template-versions",
    WorkOrderTemplateVersionViewSet,
    basename="work-order-template-version",
)
router.register("work-orders", WorkOrderViewSet, basename="work-order")

urlpatterns = router.urls
