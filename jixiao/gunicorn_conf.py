"""gunicorn settings for the web services: `gunicorn -c python:jixiao.gunicorn_conf ...`.

Threaded workers keep HTTP connections alive between requests (a sync worker closes each
one), which takes about a millisecond off every request of a client that reuses its
connection: an importer, the benchmark, a browser. The work is short and mostly waits on
PostgreSQL, so a few threads per process are enough.
"""

worker_class = "gthread"
threads = 4
keepalive = 5
graceful_timeout = 10
