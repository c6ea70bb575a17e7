from rest_framework.routers import SimpleRouter

from .api import FeedbackItemViewSet

router = SimpleRouter()
router.register("feedback-items", FeedbackItemViewSet, basename="feedback-item")

urlpatterns = router.urls
