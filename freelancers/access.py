"""Who may see what. Every view goes through these helpers.

Owners (the ``Owners`` group, or superusers) manage the network; freelancers see only the portal
and only their own objects; anything else answers 403 for owner pages and 404 for objects.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

OWNERS_GROUP = "Owners"


def is_owner(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: the navigation asks on every page.
    if not hasattr(user, "_is_owner"):
        user._is_owner = user.groups.filter(name=OWNERS_GROUP).exists()
    return user._is_owner


def freelancer_for(user):
    """The Freelancer linked to this login, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.freelancer
    except ObjectDoesNotExist:
        return None


def owner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """403 for anyone signed in who is not an owner (anonymous users never get this far)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_owner(request.user):
            raise PermissionDenied("This page is for the owners of the network.")
        return view(request, *args, **kwargs)

    return wrapped


class OwnerRequiredMixin(AccessMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_owner(request.user):
            raise PermissionDenied("This page is for the owners of the network.")
        return super().dispatch(request, *args, **kwargs)


def freelancer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Portal views: passes ``freelancer`` to the view; 404 for users with no freelancer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        freelancer = freelancer_for(request.user)
        if freelancer is None:
            raise Http404("No freelancer profile is linked to this login.")
        return view(request, *args, freelancer=freelancer, **kwargs)

    return wrapped
