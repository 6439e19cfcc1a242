from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from freelancers.access import is_owner


def dashboard(request: HttpRequest) -> HttpResponse:
    if not is_owner(request.user):
        return redirect("/portal/")
    return render(request, "reports/dashboard.html", {})
