from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoStep(models.Model):
    """One app's demo data built for one county, so running the demo again reuses it."""

    county = models.CharField(_("县代码"), max_length=6)
    app_label = models.CharField(_("模块"), max_length=50)
    built_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("演示数据步骤")
        verbose_name_plural = _("演示数据步骤")
        constraints = [models.UniqueConstraint(fields=["county", "app_label"], name="demo_step_once")]

    def __str__(self):
        return f"{self.county} {self.app_label}"
