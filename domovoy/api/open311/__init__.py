"""Open311 GeoReport v2 at ``/open311/v2/`` (S6): the classifier as services, intake through
the one intake service, public reads of requests and their public comments, in JSON and XML
with the specification's element names and error format."""
