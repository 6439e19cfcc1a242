from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("sops/<int:version_id>/", portal_views.sop, name="sop"),
    path("sops/<int:version_id>/acknowledge/", portal_views.acknowledge, name="acknowledge"),
]
