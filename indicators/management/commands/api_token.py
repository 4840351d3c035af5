from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from indicators.services import api_token_create


class Command(BaseCommand):
    help = "为某个用户生成接口令牌（大屏、区级系统调用 /api/v1/ 时使用）。令牌只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="", help="用途，例如 大屏")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{username}」不存在或已停用。")
        key = api_token_create(user=user, name=name)
        self.stdout.write(key)
        self.stderr.write(
            "请妥善保存：令牌只显示这一次，请求时放在请求头 Authorization: Token <令牌>。"
        )
