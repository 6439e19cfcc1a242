from django.http import HttpRequest

from .access import freelancer_for, is_owner


def roles(request: HttpRequest) -> dict:
    """What the navigation needs to know about the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_owner": False, "current_freelancer": None}
    return {"is_owner": is_owner(user), "current_freelancer": freelancer_for(user)}
