"""API building blocks: every viewset narrows its queryset with ``restrict`` for the request's action."""

from rest_framework import permissions, viewsets

from .permissions import can_add

ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RestrictedViewSetMixin:
    """Lists and retrieves only what ``restrict(user, "view")`` admits; writes need the matching action.

    An object the user may see but not change answers 403; one they may not see answers 404.
    """

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        action = ACTION_FOR_METHOD.get(request.method, "change")
        if action != "view":
            model = obj._meta.model
            if not model._default_manager.filter(pk=obj.pk).restrict(request.user, action).exists():
                self.permission_denied(request)


class CanAdd(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method != "POST":
            return True
        return can_add(request.user, view.queryset.model)


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, CanAdd]


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
