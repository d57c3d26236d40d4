"""`ruralhub serve`: every core busy on Linux and macOS (gunicorn, one process per core), waitress elsewhere.

Django renders pages in Python, so one process uses one core at most, and threads inside it contend for
the interpreter (and for the lock around each translation look-up). Pre-forked processes are the cure;
each keeps a couple of threads for requests that wait on the database or the network.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError


def default_workers() -> int:
    return max(os.cpu_count() or 1, 1)


class Command(BaseCommand):
    help = "Serve ruralhub: gunicorn with a worker process per core (waitress where gunicorn cannot run)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers(), help="processes (default: cores)")
        parser.add_argument("--threads", type=int, default=2, help="threads per process")
        parser.add_argument(
            "--server", choices=["auto", "gunicorn", "waitress"], default="auto", help="auto: gunicorn if available"
        )

    def handle(self, *args, host, port, workers, threads, server, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers 和 --threads 至少为 1")
        if server == "auto":
            server = "waitress" if sys.platform == "win32" else "gunicorn"
        from ruralhub.wsgi import application

        self.stdout.write(
            f"ruralhub 正在 http://{host}:{port}/ 提供服务（{self._describe(server, workers, threads)}；Ctrl+C 停止）"
        )
        self.stdout.flush()
        if server == "waitress":
            from waitress import serve

            serve(application, host=host, port=port, threads=workers * threads, ident="ruralhub")
            return
        run_gunicorn(application, host=host, port=port, workers=workers, threads=threads)

    @staticmethod
    def _describe(server: str, workers: int, threads: int) -> str:
        if server == "waitress":
            return f"waitress，单进程 {workers * threads} 线程"
        return f"gunicorn，{workers} 个进程 × {threads} 线程"


def run_gunicorn(application, *, host: str, port: int, workers: int, threads: int) -> None:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "keepalive": 5,
                "timeout": 120,  # a big import or report may take a while; a hung worker is still replaced
                "graceful_timeout": 10,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "ruralhub",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    # The application is loaded once here and forked into the workers: no connection may cross the fork.
    connections.close_all()
    Server().run()
