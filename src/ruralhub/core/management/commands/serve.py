from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve ruralhub with waitress (static files through whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from ruralhub.wsgi import application

        self.stdout.write(f"ruralhub 正在 http://{host}:{port}/ 提供服务（Ctrl+C 停止）")
        serve(application, host=host, port=port, threads=threads, ident="ruralhub")
