import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruralhub.regions.services import import_poverty_villages, resolve_county


class Command(BaseCommand):
    help = "Set poverty-village flags from a UTF-8 CSV with columns 代码,贫困村 (否 / 建档立卡 / 省定)."

    def add_arguments(self, parser):
        parser.add_argument("county", help="county code or name")
        parser.add_argument("csv_file")

    def handle(self, *args, county, csv_file, **options):
        try:
            code = resolve_county(county)
            with open(csv_file, encoding="utf-8-sig", newline="") as f:
                changed = import_poverty_villages(code, list(csv.DictReader(f)))
        except ValidationError as exc:
            raise CommandError("导入未执行，以下行有误：\n" + "\n".join(exc.messages)) from exc
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        self.stdout.write(f"已更新 {changed} 个村的贫困村标记")
