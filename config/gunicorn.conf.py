"""gunicorn's settings for the web process: `gunicorn -c config/gunicorn.conf.py config.wsgi:application`
(Dockerfile, docker-compose.yml). Any of them can be changed at start-up without editing this file through
gunicorn's own GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--workers 5 --threads 16".

Threaded workers (gthread), because uploads are slow clients: a sync worker is held for the whole time a client
takes to send its body, so as many slow uploads as workers made every other request wait. A gthread worker
holds one thread per request being read and keeps idle kept-alive connections in its event loop without a
thread, so a slow upload ties up one thread of workers * threads, and the application bounds how long it may
(REQUEST_BODY_IDLE_SECONDS between bytes, REQUEST_BODY_SECONDS in all; imports.http.request_limits). Threads rather
than gevent: no monkey-patching of the database, Redis and Celery clients, and a request that does CPU work
(reading a workbook's header) does not stall the other requests of its worker.
"""

bind = "0.0.0.0:8000"
worker_class = "gthread"
workers = 3
threads = 8
# A gthread worker reports from its event loop, not from the request threads, so this restarts a worker whose
# loop is stuck, not one whose requests are slow (those are bounded by the application, above).
timeout = 120
graceful_timeout = 30
# Seconds an idle kept-alive connection stays open; it waits in the worker's loop, not in a thread.
keepalive = 5
# gunicorn's own refusals before a request reaches Django (README, "What the web server answers"): a request line
# over 4094 bytes, more than 100 header fields, a header field over 8190 bytes.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Access lines on standard output, as the containers' logs expect.
accesslog = "-"
