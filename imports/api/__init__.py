"""The JSON API for integrators: start an import by uploading a file, poll its job, download its error report.

One set of views serves every import target. A target that declares an `api_path` gets routes of its own that bind
the views to it; the generic `/api/imports/` route takes the target from the request. Requests carry the
`Authorization: Bearer <token>` of a user and see only that user's company's jobs.
"""
