import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ruralhub.core.privacy import phone_for, sees_personal_data

from .models import Station


class StationTable(tables.Table):
    name = tables.LinkColumn("network:station_detail", args=[tables.A("pk")], verbose_name=_("站点名称"))
    township = tables.Column(verbose_name=_("所在乡镇"), accessor="division__parent__name", order_by="division_id")
    division = tables.Column(verbose_name=_("所在区划"), accessor="division__name")
    services = tables.Column(verbose_name=_("服务项目"), empty_values=(), orderable=False)
    operator_phone = tables.Column(verbose_name=_("负责人电话"))
    status = tables.Column(verbose_name=_("状态"))
    flags = tables.Column(verbose_name=_("标记"), empty_values=(), orderable=False)

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "level",
            "township",
            "division",
            "operator_name",
            "operator_phone",
            "services",
            "status",
            "opened_on",
            "flags",
        ]
        attrs = {"class": "stack stations"}
        per_page = 50

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not sees_personal_data(user):
            # Sorting on a masked number would reveal it, one probe edit at a time.
            self.columns["operator_phone"].column.orderable = False

    def render_township(self, record):
        return record.division.parent.name if record.division.level == "village" else record.division.name

    def render_services(self, record):
        return "、".join(s.get_service_display() for s in record.services.all())

    def render_operator_phone(self, value):
        return phone_for(self.user, value)

    def render_status(self, record):
        return format_html('<span class="badge st-{}">{}</span>', record.status, record.get_status_display())

    def render_flags(self, record):
        flags = []
        if record.is_demonstration:
            flags.append(_("示范"))
        if record.is_central_funded:
            flags.append(_("中央资金"))
        return "、".join(str(f) for f in flags) or "—"
