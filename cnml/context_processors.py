from django.conf import settings
from django.http import HttpRequest

from cnml import registry


def site(request: HttpRequest) -> dict:
    """Service name and the role-aware navigation for the page frame."""
    user = request.user if hasattr(request, "user") else None
    items = registry.navigation(user) if user is not None else []
    current = next(
        (
            item
            for item in sorted(items, key=lambda item: -len(item.prefix))
            if item.prefix and request.path.startswith(item.prefix)
        ),
        None,
    )
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "main_navigation": items,
        "current_navigation": current,
    }
