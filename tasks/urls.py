from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/end/",
        views.end_assignment,
        name="end_assignment",
    ),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/payments/",
        views.add_payment,
        name="add_payment",
    ),
    path("<int:pk>/oversight/", views.add_oversight, name="add_oversight"),
]
