import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ruralhub.regions.models import Division

from .choices import Service, StationLevel, StationStatus
from .models import Station


class StationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或编号"), method="search")
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇"), queryset=Division.objects.none(), method="in_township", empty_label=_("全部乡镇")
    )
    level = django_filters.ChoiceFilter(label=_("层级"), choices=StationLevel.choices, empty_label=_("全部层级"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=StationStatus.choices, empty_label=_("全部状态"))
    service = django_filters.ChoiceFilter(
        label=_("服务项目"), choices=Service.choices, field_name="services__service", empty_label=_("全部服务")
    )
    is_demonstration = django_filters.BooleanFilter(
        label=_("示范站点"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Station
        fields = ["q", "township", "level", "status", "service", "is_demonstration"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["township"].queryset = Division.objects.visible_to(user).townships()

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(code__icontains=value)

    def in_township(self, queryset, name, value):
        return queryset.filter(division__code__startswith=value.code)
