from django.urls import path

from . import views

app_name = "sops"

urlpatterns = [
    path("", views.sop_list_view, name="list"),
    path("create/", views.sop_create, name="create"),
    path("<slug:slug>/", views.sop_detail, name="detail"),
    path("<slug:slug>/publish/", views.sop_publish, name="publish"),
    path("<slug:slug>/diff/", views.sop_diff, name="diff"),
]
