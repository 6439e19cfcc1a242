"""Project-wide views: sign-in, the role-based home and the health check."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from freelancers.access import freelancer_for, is_owner

logger = logging.getLogger(__name__)


def home_url_for(user) -> str:
    """Owners land on the dashboard, freelancers on the portal."""
    if is_owner(user):
        return "/"
    if freelancer_for(user) is not None:
        return "/portal/"
    if user.is_staff:
        return "/admin/"
    return "/"


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_url_for(self.request.user)


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Public probe: 503 when the database is down; the broker is reported, not required."""
    status = {"database": "ok", "broker": "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("Health check: the database is unreachable")
        status["database"] = "unavailable"
        code = 503
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        status["broker"] = _broker_status()
    return JsonResponse(status, status=code)


def _broker_status() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception:
        logger.warning("Health check: the broker is unreachable", exc_info=True)
        return "unavailable"
    return "ok"


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (e.g. /healthz)."""
    return redirect(static("img/favicon.svg"), permanent=True)
