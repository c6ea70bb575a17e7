"""API routes of outages."""

urlpatterns: list = []
