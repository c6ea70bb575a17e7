"""Pages of outages."""

urlpatterns: list = []
