"""Pages of outages (work in progress)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


outage_list = public_outages = outage_create = zone_preview = durations = favourites = _todo
favourite_delete = outage_detail = outage_edit = outage_complete = outage_cancel = _todo
