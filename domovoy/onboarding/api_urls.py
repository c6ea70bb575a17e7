from rest_framework.routers import SimpleRouter

from .api import OnboardingRequestViewSet

router = SimpleRouter()
router.register("onboarding-requests", OnboardingRequestViewSet, basename="onboarding-request")

urlpatterns = router.urls
