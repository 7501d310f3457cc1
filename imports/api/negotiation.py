"""Content negotiation for a download: whatever the client accepts (text/csv, */*), the answer is the file, and a
refusal is JSON. DRF's usual negotiation would refuse `Accept: text/csv` with 406 before the view runs, since the
view's only renderer is JSON (the file is sent as it is, without a renderer)."""

from rest_framework.negotiation import BaseContentNegotiation


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
