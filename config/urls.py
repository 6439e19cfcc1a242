from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports import views as reports_views

from . import views

admin.site.site_header = "Freelancer Network administration"
admin.site.site_title = "Freelancer Network admin"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("freelancers/", include("freelancers.urls")),
    path("tasks/", include("tasks.urls")),
    path("flags/", include("tasks.flag_urls")),
    path("sops/", include("sops.urls")),
    path("portal/", include("tasks.portal_urls")),
    path("reports/", include("reports.urls")),
    path("", reports_views.dashboard, name="home"),
]
