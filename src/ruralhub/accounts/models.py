import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ruralhub.core.roles import Role
from ruralhub.core.scoping import Scope, ScopedQuerySet
from ruralhub.core.validators import REASON_MAX_LENGTH, validate_no_nul, validate_phone

from .choices import OrganisationKind
from .credit_code import validate_credit_code


class Organisation(models.Model):
    """A body that takes part in the program: department, firm, co-op, farm, courier, trainer, station host."""

    name = models.CharField(_("单位名称"), max_length=200, validators=[validate_no_nul])
    kind = models.CharField(_("单位类型"), max_length=20, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, validators=[validate_no_nul])
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True, validators=[validate_no_nul])
    is_active = models.BooleanField(_("有效"), default=True)

    scope = Scope(division="division", organisation="")
    objects = ScopedQuerySet.as_manager()
    # The history row keeps the service's reason whole (simple-history's default column holds 100).
    history = HistoricalRecords(history_change_reason_field=models.CharField(max_length=REASON_MAX_LENGTH, null=True))

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["division_id", "name"]

    def __str__(self):
        return self.name


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in; what they see is decided by role plus division and/or organisation."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True, validators=[validate_no_nul])
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("管辖区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_phone])

    scope = Scope(division="division", organisation="organisation")
    objects = ScopedUserManager()
    # The history row keeps the service's reason whole (simple-history's default column holds 100).
    history = HistoricalRecords(
        history_change_reason_field=models.CharField(max_length=REASON_MAX_LENGTH, null=True),
        excluded_fields=["password", "last_login"],
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for a device or an integrator; only its hash is stored."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, validators=[validate_no_nul])
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token; the plain key is returned once and never stored."""
        key = "rh_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash_key(key))
        return token, key
