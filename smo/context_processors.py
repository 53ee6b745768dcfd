from .roles import ROLE_LABELS, roles_of


def roles(request):
    """The current user's roles, for navigation in the base layout."""
    user = getattr(request, "user", None)
    names = roles_of(user) if user is not None else frozenset()
    return {
        "user_roles": names,
        "user_role_labels": [str(ROLE_LABELS[r]) for r in ROLE_LABELS if r in names],
    }
