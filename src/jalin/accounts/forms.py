from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jalin.core.roles import Role
from jalin.regions.forms import RegencyChoiceField

from . import services
from .models import Organisation, User


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class OrganisationForm(forms.ModelForm):
    region = RegencyChoiceField(label=_("Region"), required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "region", "address", "email", "phone", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_programme_officer:
            del self.fields["kind"]
            del self.fields["is_active"]

    def save(self, *, actor):
        data = {k: self.cleaned_data[k] for k in self.fields}
        if self.instance.pk:
            return services.update_organisation(self.instance, actor=actor, **data)
        data.setdefault("kind", "ikm")
        return services.create_organisation(actor=actor, **data)


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to let the user set one through the password-reset e-mail."),
    )

    class Meta:
        model = User
        fields = [
            "email",
            "first_name",
            "last_name",
            "role",
            "organisation",
            "region_scope",
            "phone",
            "preferred_language",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = Organisation.objects.restrict(user, "change")
        if not user.is_programme_officer:
            self.fields["role"].choices = [(Role.IKM, Role.IKM.label)]
            del self.fields["region_scope"]
        if self.instance.pk:
            del self.fields["password"]

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data.get("password")
        if password:
            validate_password(password)
        return password

    def save(self, *, actor):
        data = {k: self.cleaned_data[k] for k in self.fields if k != "password"}
        if self.instance.pk:
            return services.update_user(self.instance, actor=actor, **data)
        return services.create_user(actor=actor, password=self.cleaned_data.get("password"), **data)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "preferred_language"]

    def save(self, *, actor):
        return services.update_user(self.instance, actor=actor, **{k: self.cleaned_data[k] for k in self.fields})
