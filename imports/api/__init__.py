"""The JSON API for integrators: start an import by uploading a file, poll its job, download its error report.

One set of views serves every import target. The customer and meter reading routes of the FlowTrack guide bind
the views to their target; the generic `/api/imports/` route takes the target from the request. Requests carry
the `Authorization: Bearer <token>` of a user and see only that user's company's jobs.
"""
