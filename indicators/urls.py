from django.urls import path

from .views import api, dashboard, entry

app_name = "indicators"

urlpatterns = [
    # Leaders' dashboard (驾驶舱)
    path("", dashboard.home, name="home"),
    path("indicators/<str:code>/", dashboard.indicator_detail, name="indicator"),
    path("charts/categories/", dashboard.category_chart, name="chart-categories"),
    path(
        "charts/indicators/<str:code>/cumulative/",
        dashboard.cumulative_chart,
        name="chart-cumulative",
    ),
    path("charts/indicators/<str:code>/months/", dashboard.month_chart, name="chart-months"),
    path("charts/indicators/<str:code>/villages/", dashboard.village_chart, name="chart-villages"),
    # Monthly entry (填报·审核·填报进度·修改记录)
    path("entry/", entry.grid, name="entry"),
    path("entry/review/", entry.review, name="entry-review"),
    path("entry/progress/", entry.progress, name="entry-progress"),
    path("entry/sheet/", entry.sheet, name="entry-sheet"),
    path("entry/upload/", entry.upload, name="entry-upload"),
    path("entry/history/<str:code>/", entry.history, name="entry-history"),
    # JSON for other systems
    path("api/v1/summary", api.summary, name="api-summary"),
]
