from . import gate


def actor(request):
    """Expose the signed-in person's reach to templates (menus, buttons)."""
    return {"actor": gate.actor_of(getattr(request, "user", None))}
