from django import forms
from django.utils.translation import gettext_lazy as _

from ruralhub.accounts.models import Organisation
from ruralhub.core.privacy import MaskedPhoneFormMixin
from ruralhub.core.validators import REASON_MAX_LENGTH
from ruralhub.regions.models import Division

from .choices import ReviewDecisionKind, Service, StationStatus
from .models import ReviewRule, Station


class StationForm(MaskedPhoneFormMixin, forms.ModelForm):
    masked_phone_fields = ("operator_phone",)

    services = forms.MultipleChoiceField(
        label=_("服务项目"), choices=Service.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    served_villages = forms.ModelMultipleChoiceField(
        label=_("服务村"),
        queryset=Division.objects.none(),
        required=False,
        help_text=_("不选则为所在村"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "level",
            "division",
            "host_type",
            "host",
            "operator_name",
            "operator_phone",
            "address",
            "opening_hours",
            "is_demonstration",
            "is_central_funded",
            "lat",
            "lng",
            "sign_photo",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Division.objects.visible_to(user)
        self.fields["division"].queryset = visible
        self.fields["code"].required = False
        self.fields["code"].help_text = _("留空则自动编号（区划代码-序号）")
        self.fields["served_villages"].queryset = visible.villages()
        self.fields["host"].queryset = Organisation.objects.visible_to(user)
        self.mask_phones(user)
        if self.instance.pk:
            self.initial["services"] = list(self.instance.services.values_list("service", flat=True))
            self.initial["served_villages"] = list(self.instance.served_villages.all())

    def _post_clean(self):
        # The rules (place, one central-funded point per village …) run in services.save_station.
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=StationStatus.choices)
    effective_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=REASON_MAX_LENGTH, required=False)
    replacement = forms.ModelChoiceField(label=_("接替站点"), queryset=Station.objects.none(), required=False)

    def __init__(self, *args, user, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = Station.objects.visible_to(user).exclude(pk=station.pk)


class ReviewRuleForm(forms.ModelForm):
    class Meta:
        model = ReviewRule
        fields = [
            "months",
            "min_services",
            "require_accepted_report",
            "max_count",
            "flag_count",
            "max_amount",
            "flag_amount",
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=ReviewDecisionKind.choices)
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX_LENGTH)
    rectify_by = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    replacement = forms.ModelChoiceField(label=_("增补站点"), queryset=Station.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["replacement"]
        field.queryset = Station.objects.visible_to(user).filter(status=StationStatus.OPERATING)
        # The review page renders this form once per candidate: list the choices once, not per rendering.
        field.choices = list(field.choices)
