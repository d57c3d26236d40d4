from django import forms
from django.utils.translation import gettext_lazy as _

from ruralhub.core.privacy import MaskedPhoneFormMixin
from ruralhub.core.roles import Role
from ruralhub.core.validators import REASON_MAX_LENGTH
from ruralhub.regions.models import Division

from . import services
from .models import Organisation


class OrganisationForm(MaskedPhoneFormMixin, forms.ModelForm):
    masked_phone_fields = ("phone",)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "credit_code", "division", "contact_name", "phone", "address", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.visible_to(user)
        self.fields["credit_code"].widget.attrs.update({"autocapitalize": "characters", "maxlength": 18})
        self.mask_phones(user)

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False)
    kind = forms.ChoiceField(label="单位类型", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .choices import OrganisationKind

        self.fields["kind"].choices = [("", "全部")] + OrganisationKind.choices


class NewPasswordForm(forms.Form):
    """A password typed twice; the service applies the site's password rules."""

    password1 = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput(render_value=False))
    password2 = forms.CharField(label=_("再次输入新密码"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned


class UserCreateForm(NewPasswordForm):
    """A new login: the roles, divisions and organisations offered are the ones the actor may hand out."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("角色"))
    division = forms.ModelChoiceField(label=_("管辖区划"), queryset=Division.objects.none(), required=False)
    organisation = forms.ModelChoiceField(label=_("所属单位"), queryset=Organisation.objects.none(), required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    field_order = ["username", "full_name", "role", "division", "organisation", "phone", "password1", "password2"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managed = services.managed_roles(user)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if managed is None or v in managed]
        self.fields["division"].queryset = Division.objects.visible_to(user).order_by("code")
        self.fields["division"].label_from_instance = lambda d: f"{d.name}（{d.code}）"
        self.fields["division"].help_text = _("县电商办、乡镇干部、财政/审计：其管辖的县或乡镇；站点负责人：站点所在村")
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by("name")
        self.fields["organisation"].help_text = _("站点负责人、物流企业、生产经营主体、培训机构必填")


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=REASON_MAX_LENGTH - 20, required=False, widget=forms.TextInput()
    )


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False)
    role = forms.ChoiceField(label=_("角色"), required=False)
    active = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("1", _("启用")), ("0", _("已停用"))]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managed = services.managed_roles(user)
        roles = [(v, label) for v, label in Role.choices if managed is None or v in managed]
        self.fields["role"].choices = [("", _("全部"))] + roles
