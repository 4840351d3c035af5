from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import views as site
from tasks.views import api_tasks as tasks_api

admin.site.site_header = _("镇域目标追踪 · 管理后台")
admin.site.site_title = _("镇域目标追踪")
admin.site.index_title = _("目录与账号管理")

handler400 = site.bad_request
handler403 = site.permission_denied
handler404 = site.page_not_found
handler500 = site.server_error

urlpatterns = [
    path("healthz", site.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tasks/", include("tasks.urls")),
    path("api/v1/tasks", tasks_api, name="api-tasks"),
    path("", include("reports.urls")),
    path("", include("indicators.urls")),
]
