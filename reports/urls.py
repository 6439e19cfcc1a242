from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("savings.csv", views.savings_csv, name="savings_csv"),
    path("spend.csv", views.spend_csv, name="spend_csv"),
    path("scan/", views.scan_now, name="scan_now"),
]
