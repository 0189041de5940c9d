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
    # django-csp's nonce is lazy and tests false until read, so django-dsfr's
    # ``{% if nonce %}`` never printed it on its script tags and the header had
    # none. Reading it here puts it on the scripts and in the header of every page.
    nonce = getattr(request, "csp_nonce", None)
    return {
        "CSP_NONCE": str(nonce) if nonce is not None else "",
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "main_navigation": items,
        "current_navigation": current,
    }
