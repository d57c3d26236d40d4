"""Demo: the county's main organisations and one user per role, each with the scope of that role."""

from ruralhub.core.roles import Role
from ruralhub.regions.choices import Kind
from ruralhub.regions.models import Division

from .choices import OrganisationKind
from .credit_code import ALPHABET, check_character
from .models import Organisation, User
from .services import create_user

# The township whose officer the demo logs in as; elsewhere the first 镇 by code.
DEMO_TOWNSHIP = {"331123": "大柘镇", "440229": "龙仙镇", "530926": "孟定镇", "610726": "大安镇", "230223": "依龙镇"}

# username, role, organisation key (None: division-scoped), full name
DEMO_USERS = [
    ("county", Role.COUNTY_OFFICE, None, "王建华"),
    ("township", Role.TOWNSHIP_OFFICER, None, "李晓燕"),
    ("station", Role.STATION_OPERATOR, "station_host", "张桂英"),
    ("logistics", Role.LOGISTICS_OPERATOR, "express_centre", "陈志强"),
    ("producer", Role.PRODUCER, "cooperative", "刘春生"),
    ("trainer", Role.TRAINER, "training", "周敏"),
    ("audit", Role.FINANCE_AUDIT, None, "吴国平"),
]


def credit_code(rng, authority: str, county_code: str) -> str:
    """A well-formed 统一社会信用代码 for a demo organisation registered in the county."""
    body = authority + county_code + "".join(rng.choice(ALPHABET[:10] + "ABCDEFGH") for _ in range(9))
    return body + check_character(body)


def demo_township(county_code: str) -> Division:
    townships = Division.objects.within(county_code).townships()
    name = DEMO_TOWNSHIP.get(county_code)
    found = townships.filter(name=name).first() if name else None
    return found or townships.filter(kind=Kind.TOWN).order_by("code").first()


def username_for(base: str, county_code: str) -> str:
    """Plain names for the first demo county in a database; later counties get their code appended."""
    existing = User.objects.filter(username=base).select_related("division", "organisation").first()
    if existing is None:
        return base
    home = existing.division_id or (existing.organisation.division_id if existing.organisation else "")
    return base if home.startswith(county_code) else f"{base}-{county_code}"


def demo_logins(county_code: str) -> list[tuple[str, str, str]]:
    rows = []
    for base, role, _org, _name in DEMO_USERS:
        user = (
            User.objects.filter(username__in=[base, f"{base}-{county_code}"], role=role)
            .select_related("division", "organisation")
            .order_by("-username")
        )
        for u in user:
            home = u.division_id or (u.organisation.division_id if u.organisation else "")
            if home.startswith(county_code):
                scope = u.organisation.name if u.organisation else u.division.full_name
                rows.append((u.username, str(role.label), scope))
                break
    return rows


def build(ctx):
    rng = ctx.seeded("accounts")
    code = ctx.county_code
    county = Division.objects.get(code=code)
    township = demo_township(code)
    village = Division.objects.filter(parent=township).administrative_villages().order_by("code").first()
    seat = Division.objects.within(code).townships().order_by("code").first()
    name = county.name
    specs = {
        "commerce_bureau": (f"{name}商务局", OrganisationKind.GOVERNMENT, "11", county, "0578-8123401"),
        "service_centre": (f"{name}电子商务公共服务中心", OrganisationKind.ENTERPRISE, "91", seat, "0578-8123402"),
        "post": (f"中国邮政集团有限公司{name}分公司", OrganisationKind.EXPRESS, "91", seat, "0578-8123403"),
        "express_centre": (f"{name}快递物流共同配送中心", OrganisationKind.EXPRESS, "91", seat, "13905781234"),
        "cooperative": (
            f"{name}{township.name}农产品专业合作社",
            OrganisationKind.COOPERATIVE,
            "93",
            township,
            "13757812345",
        ),
        "family_farm": (
            f"{name}{village.name.removesuffix('村委会').removesuffix('村民委员会')}家庭农场",
            OrganisationKind.FAMILY_FARM,
            "92",
            village,
            "13867812345",
        ),
        "training": (f"{name}电商职业培训学校", OrganisationKind.TRAINING, "52", seat, "0578-8123405"),
        "station_host": (
            f"{village.name.removesuffix('村委会').removesuffix('村民委员会')}村便民超市",
            OrganisationKind.STATION_HOST,
            "92",
            village,
            "15888812345",
        ),
    }
    orgs = {}
    for key, (org_name, kind, authority, division, phone) in specs.items():
        orgs[key], _ = Organisation.objects.get_or_create(
            name=org_name,
            defaults={
                "kind": kind,
                "credit_code": credit_code(rng, authority, code),
                "division": division,
                "contact_name": rng.choice(["王", "李", "张", "刘", "陈", "杨", "黄", "赵"])
                + rng.choice(["丽", "军", "华", "芳", "强", "敏"]),
                "phone": phone,
                "address": f"{division.full_name}",
            },
        )
    for base, role, org_key, full_name in DEMO_USERS:
        organisation = orgs[org_key] if org_key else None
        if role == Role.TOWNSHIP_OFFICER:
            division = township
        elif role == Role.STATION_OPERATOR:
            division = organisation.division  # the village the station stands in
        else:
            division = county
        create_user(
            username_for(base, code),
            ctx.password,
            role,
            full_name=full_name,
            division=division,
            organisation=organisation,
            phone=f"139{rng.randrange(10**8):08d}",
            is_staff=role == Role.COUNTY_OFFICE,
        )
