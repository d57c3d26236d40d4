import time

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ruralhub.accounts.demo import demo_logins
from ruralhub.demo import runner
from ruralhub.regions.services import resolve_county


class Command(BaseCommand):
    help = "Prepare the demo county (migrate, load divisions, program, users, operations) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--county", default="331123", help="county code or name (default 遂昌 331123)")
        parser.add_argument("--no-serve", action="store_true", help="only prepare the data")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--months", type=int, default=24, help="months of operating history to generate")

    def handle(self, *args, county, no_serve, host, port, months, **options):
        from django.conf import settings

        try:
            code = resolve_county(county)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        started = time.monotonic()
        self.stdout.write(f"数据目录：{settings.DATA_DIR}")
        call_command("migrate", verbosity=0, interactive=False)
        runner.build(code, months=months)
        self.stdout.write(f"演示数据已就绪（{time.monotonic() - started:.1f} 秒）")
        self.stdout.write("")
        self.stdout.write(f"地址：http://{host}:{port}/")
        self.stdout.write(f"所有演示账号的密码：{runner.PASSWORD}")
        for username, role, scope in demo_logins(code):
            self.stdout.write(f"  {username:<12} {role:<10} {scope}")
        if not no_serve:
            call_command("serve", host=host, port=port)
