from django.urls import path

from . import views

app_name = "flags"

urlpatterns = [
    path("", views.flag_list, name="list"),
    path("<int:pk>/dismiss/", views.dismiss_flag, name="dismiss"),
]
