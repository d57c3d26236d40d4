from django import forms

from ruralhub.core.privacy import MaskedPhoneFormMixin
from ruralhub.regions.models import Division

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
