"""Running jixiao: the web services, the Celery worker and the month-end beat."""

from __future__ import annotations

import threading

import click

from jixiao.cli.common import runtime


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind the services to.")
def serve(host: str) -> None:
    """Run the web app (WEB_PORT) and the services (incidents on INCIDENTS_PORT, reports on REPORTS_PORT).

    Without REDIS_URL the scoring runs in-process; with it, this only records and a
    `jixiao worker` scores.
    """
    from werkzeug.serving import make_server

    from shared.migrate import upgrade
    from shared.seeding import install_seed_templates

    rt = runtime(create=True)
    upgrade(rt.db)
    install_seed_templates(rt.db)
    servers = [make_server(host, rt.settings.web_port, rt.web_app(), threaded=True),
               make_server(host, rt.settings.incidents_port, rt.incidents_app(), threaded=True),
               make_server(host, rt.settings.reports_port, rt.reports_app(), threaded=True)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if rt.runner:
        rt.runner.start()
    mode = "in-process scoring (no REDIS_URL)" if rt.runner else "scoring by `jixiao worker` via Redis"
    click.echo(f"jixiao serving, {mode}")
    click.echo(f"web app:   http://{host}:{rt.settings.web_port}/")
    click.echo(f"incidents: http://{host}:{rt.settings.incidents_port}/openapi.json")
    click.echo(f"reports:   http://{host}:{rt.settings.reports_port}/openapi.json")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for s in servers:
            s.shutdown()
        if rt.runner:
            rt.runner.stop()


def _celery() -> object:
    try:
        return runtime().celery()
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True, help="Worker processes.")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(concurrency: int, loglevel: str, celery_args: tuple[str, ...]) -> None:
    """Run a Celery scoring worker (needs REDIS_URL); it also relays the event log."""
    app = _celery()
    app.worker_main(["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}",  # type: ignore[attr-defined]
                     "--without-gossip", "--without-mingle", *celery_args])


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def beat(loglevel: str, celery_args: tuple[str, ...]) -> None:
    """Run the month-end schedule (celery beat with a redbeat lock: one beat at a time)."""
    app = _celery()
    app.start(["beat", "--scheduler=redbeat.RedBeatScheduler", f"--loglevel={loglevel}",  # type: ignore[attr-defined]
               *celery_args])


COMMANDS = [serve, worker, beat]
