"""Pages of notifications."""

urlpatterns: list = []
