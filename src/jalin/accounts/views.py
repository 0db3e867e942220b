from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from rest_framework.authtoken.models import Token

from jalin.core.pagination import paginate
from jalin.core.permissions import can, can_add
from jalin.core.roles import Role
from jalin.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, sort_queryset

from . import services
from .forms import OrganisationForm, ProfileForm, SignInForm, UserForm
from .models import Organisation, OrganisationKind, User


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class OrganisationListView(LoginRequiredMixin, View):
    def get(self, request):
        qs = (
            Organisation.objects.restrict(request.user, "view")
            .select_related("region")
            .annotate(member_count=Count("members"))
        )
        q = request.GET.get("q", "").strip()
        kind = request.GET.get("kind", "")
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q))
        if kind in OrganisationKind.values:
            qs = qs.filter(kind=kind)
        qs, sort = sort_queryset(request, qs, {"name": "name", "kind": "kind", "region": "region__name"}, "name")
        return render(
            request,
            "accounts/organisation_list.html",
            {
                "page": paginate(request, qs),
                "q": q,
                "kind": kind,
                "sort": sort,
                "kinds": OrganisationKind.choices,
                "can_add": can_add(request.user, Organisation),
            },
        )


class OrganisationDetailView(ObjectDetailView):
    model = Organisation
    template_name = "accounts/organisation_detail.html"

    def get_context(self, obj):
        return {
            "show_private": can(self.request.user, "view_private", obj),
            "members": User.objects.restrict(self.request.user, "view").filter(organisation=obj),
        }


class OrganisationEditView(ObjectEditView):
    model = Organisation
    form_class = OrganisationForm
    list_url_name = "accounts:organisations"


class OrganisationHistoryView(ObjectHistoryView):
    model = Organisation


class UserListView(LoginRequiredMixin, View):
    def get(self, request):
        if not request.user.is_officer:
            raise PermissionDenied(_("Only officers manage users."))
        qs = User.objects.restrict(request.user, "view").select_related("organisation", "region_scope")
        q = request.GET.get("q", "").strip()
        role = request.GET.get("role", "")
        if q:
            qs = qs.filter(
                Q(email__icontains=q)
                | Q(first_name__icontains=q)
                | Q(last_name__icontains=q)
                | Q(organisation__name__icontains=q)
            )
        if role in Role.values:
            qs = qs.filter(role=role)
        qs, sort = sort_queryset(
            request,
            qs,
            {
                "email": "email",
                "name": "first_name",
                "role": "role",
                "organisation": "organisation__name",
                "last_login": "last_login",
            },
            "email",
        )
        return render(
            request,
            "accounts/user_list.html",
            {
                "page": paginate(request, qs),
                "q": q,
                "role": role,
                "sort": sort,
                "roles": Role.choices,
                "can_add": can_add(request.user, User),
            },
        )


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"

    def get_context(self, obj):
        return {"can_manage": can(self.request.user, "manage", obj)}


class UserEditView(ObjectEditView):
    model = User
    form_class = UserForm
    list_url_name = "accounts:users"
    action = "manage"


class UserHistoryView(ObjectHistoryView):
    model = User
    action = "manage"


class ProfileView(LoginRequiredMixin, View):
    def _render(self, request, form, new_token=None):
        has_token = Token.objects.filter(user=request.user).exists()
        context = {"form": form, "has_token": has_token, "new_token": new_token}
        return render(request, "accounts/profile.html", context)

    def get(self, request):
        return self._render(request, ProfileForm(instance=request.user))

    def post(self, request):
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save(actor=request.user)
            messages.success(request, _("Your profile has been saved."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        return self._render(request, form)


class TokenView(LoginRequiredMixin, View):
    """Create, replace or revoke the user's own API token. The key is shown once, right after creation."""

    def post(self, request):
        if request.POST.get("action") == "revoke":
            services.revoke_token(request.user, actor=request.user)
            messages.success(request, _("Your API token has been revoked."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        key = services.replace_token(request.user, actor=request.user)
        return ProfileView()._render(request, ProfileForm(instance=request.user), new_token=key)
