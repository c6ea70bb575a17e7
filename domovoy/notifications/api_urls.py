"""API routes of notifications."""

urlpatterns: list = []
