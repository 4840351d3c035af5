from django.urls import path

from .views import api, entry, imports, indicator

app_name = "indicators"

urlpatterns = [
    # One indicator and its charts (the overview at / is the reports app's)
    path("indicators/<str:code>/", indicator.indicator_detail, name="indicator"),
    path(
        "charts/indicators/<str:code>/cumulative/",
        indicator.cumulative_chart,
        name="chart-cumulative",
    ),
    path("charts/indicators/<str:code>/months/", indicator.month_chart, name="chart-months"),
    path("charts/indicators/<str:code>/villages/", indicator.village_chart, name="chart-villages"),
    # Monthly entry (填报·审核·填报进度·修改记录)
    path("entry/", entry.grid, name="entry"),
    path("entry/review/", entry.review, name="entry-review"),
    path("entry/progress/", entry.progress, name="entry-progress"),
    path("entry/sheet/", entry.sheet, name="entry-sheet"),
    path("entry/upload/", entry.upload, name="entry-upload"),
    path("entry/history/<str:code>/", entry.history, name="entry-history"),
    # Administrators' imports: the township workbook and 表样
    path("imports/", imports.workbook, name="imports"),
    path("imports/<str:token>/errors.xlsx", imports.errors, name="import-errors"),
    path("imports/layouts/", imports.layouts, name="layouts"),
    path("imports/layouts/<int:pk>/", imports.layout, name="layout"),
    path("imports/layouts/<int:pk>/fill/", imports.layout_fill, name="layout-fill"),
    # JSON for other systems
    path("api/v1/summary", api.summary, name="api-summary"),
]
