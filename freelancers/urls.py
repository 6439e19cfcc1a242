from django.urls import path

from . import views

app_name = "freelancers"

urlpatterns = [
    path("", views.freelancer_list, name="list"),
    path("new/", views.freelancer_create, name="create"),
    path("<int:pk>/", views.freelancer_detail, name="detail"),
    path("<int:pk>/edit/", views.freelancer_edit, name="edit"),
    path("<int:pk>/offboard/", views.freelancer_offboard, name="offboard"),
    path("<int:pk>/reviews/", views.review_add, name="review_add"),
    path("<int:pk>/reviews/<int:review_pk>/verify/", views.review_verify, name="review_verify"),
    path("<int:pk>/portfolio/", views.portfolio_add, name="portfolio_add"),
    path(
        "<int:pk>/portfolio/<int:item_pk>/review/",
        views.portfolio_review,
        name="portfolio_review",
    ),
    path(
        "<int:pk>/portfolio/<int:item_pk>/download/",
        views.portfolio_download,
        name="portfolio_download",
    ),
    path("<int:pk>/vetting/start/", views.vetting_start, name="vetting_start"),
    path("<int:pk>/vetting/approve/", views.vetting_approve, name="vetting_approve"),
    path("<int:pk>/vetting/reject/", views.vetting_reject, name="vetting_reject"),
]
