from django.urls import path

from .views import dashboard

app_name = "indicators"

urlpatterns = [
    # Leaders' dashboard (驾驶舱)
    path("", dashboard.home, name="home"),
]
