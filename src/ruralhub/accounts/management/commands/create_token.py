from django.core.management.base import BaseCommand, CommandError

from ruralhub.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API token for a user; the key is printed once and only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="设备", help="what the token is for")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        _token, key = ApiToken.issue(user, name)
        self.stdout.write(key)
