from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruralhub.programs.services import load_program
from ruralhub.regions.services import load_divisions, resolve_county


class Command(BaseCommand):
    help = "Load a county's divisions, program and targets: `ruralhub load-county 331123` or `遂昌`."

    def add_arguments(self, parser):
        parser.add_argument("county", help="county code (331123) or name (遂昌)")

    def handle(self, *args, county, **options):
        try:
            code = resolve_county(county)
            result = load_divisions(code)
            program = load_program(code)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"{result.county.name}（{code}）：区划新增 {result.created}，更新 {result.updated}，"
            f"未变 {result.unchanged}；{program.name}：{program.targets.count()} 个目标"
        )
