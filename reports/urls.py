from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("todo/", views.todo, name="todo"),
    path("charts/categories/", views.category_chart, name="chart-categories"),
]
