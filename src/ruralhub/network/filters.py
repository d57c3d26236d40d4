import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ruralhub.regions.models import Division

from .choices import Service, StationLevel, StationStatus
from .models import Station


class StationFilter(django_filters.FilterSet):
    # Free text instead of a select of hundreds of villages: a station's name, its code or its village's name.
    q = django_filters.CharFilter(label=_("名称、编号或村名"), method="search")
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
        self.filters["township"].queryset = Division.objects.visible_to(user).townships().only("code", "name")

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(division__name__icontains=value))

    def in_township(self, queryset, name, value):
        return queryset.filter(division__code__startswith=value.code)

    def controls(self) -> list[dict]:
        """The form's fields as plain values for the template, each select's options rendered in one loop
        (a widget template per option, through the form renderer, cost more than the whole table)."""
        form = self.form
        data = form.data if form.is_bound else {}
        language = get_language()
        controls = []
        for name, field in form.fields.items():
            value = str(data.get(name) or "")
            if isinstance(field, forms.ModelChoiceField):  # the user's townships: data, read each time
                label, choices = str(field.label), [(str(k), str(text)) for k, text in field.choices]
            elif isinstance(field.widget, forms.Select):
                label, choices = _translated(language, name, field)
            else:
                label, choices = _translated(language, name, field)[0], None
            options = None if choices is None else [(key, text, key == value) for key, text in choices]
            controls.append({"name": name, "label": label, "value": value, "options": options})
        return controls


_TRANSLATED: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = {}


def _translated(language: str, name: str, field) -> tuple[str, list[tuple[str, str]]]:
    """A fixed field's label and options, translated once per process and language."""
    key = (language, name)
    if key not in _TRANSLATED:
        choices = getattr(field.widget, "choices", ())
        _TRANSLATED[key] = (str(field.label), [(str(k), str(text)) for k, text in choices])
    return _TRANSLATED[key]
