"""The answer to a request refused before any view could read it (S7): thousands of query or
form parameters, an oversized body, a bad host. A 400 with a sentence — JSON in the API's
error format under /api/ and /open311/, the site's layout elsewhere — never a 500."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from domovoy.api.errors import bad_input_body

API_PREFIXES = ("/api/", "/open311/")


def bad_request(request, exception=None):
    body = bad_input_body(exception)
    if request.path.startswith(API_PREFIXES):
        return JsonResponse(body, status=400)
    try:
        html = render_to_string("web/bad_request.html", {"message": body["message"]}, request)
    except Exception:  # the layout failed (a broken request): the sentence still goes out
        return HttpResponseBadRequest(body["message"], content_type="text/plain; charset=utf-8")
    return HttpResponseBadRequest(html)
