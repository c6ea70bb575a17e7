from rest_framework.routers import SimpleRouter

from .api import AnnouncementViewSet, GuideViewSet

router = SimpleRouter()
router.register("announcements", AnnouncementViewSet, basename="announcement")
router.register("help-guides", GuideViewSet, basename="help-guide")

urlpatterns = router.urls
