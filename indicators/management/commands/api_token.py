from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.formatting import date_words
from indicators.models import API_TOKEN_DAYS
from indicators.services import api_token_create


class Command(BaseCommand):
    help = (
        "为某个用户生成接口令牌（大屏、区级系统调用 /api/v1/ 时使用）。令牌只显示这一次；"
        "到期或在管理后台吊销后不再可用。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="", help="用途，例如 大屏")
        parser.add_argument(
            "--days",
            type=int,
            default=API_TOKEN_DAYS,
            help=f"有效天数（默认 {API_TOKEN_DAYS}）",
        )

    def handle(self, *args, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{username}」不存在或已停用。")
        if days < 1:
            raise CommandError("--days 应为正整数（令牌的有效天数）。")
        key = api_token_create(user=user, name=name, days=days)
        until = date_words(timezone.localdate() + timedelta(days=days))
        self.stdout.write(key)
        self.stderr.write(
            f"请妥善保存：令牌只显示这一次，有效期至{until}；请求时放在请求头 "
            "Authorization: Token <令牌>。"
        )
