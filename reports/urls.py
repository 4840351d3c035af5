from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("todo/", views.todo, name="todo"),
    path("charts/categories/", views.category_chart, name="chart-categories"),
    path("reports/brief/", views.brief, name="brief"),
    path("reports/brief.docx", views.brief_docx, name="brief-docx"),
    path("reports/brief.xlsx", views.brief_xlsx, name="brief-xlsx"),
]
