"""统一社会信用代码 (unified social credit identifier), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative
division code (6 digits), organisation code (9) and a check character computed
modulo 31 over the first 17 with weights 3^i mod 31.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
WEIGHTS = [pow(3, i, 31) for i in range(17)]
# 登记管理部门代码: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会,
# 9 市场监管(工商), A 中央军委改革和编制办公室, N 农业, Y 其他
AUTHORITIES = set("123456789ANY")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, in Chinese; None when it is valid."""
    if len(code) != 18:
        return f"应为18位，实际为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V 及小写字母）"
    if code[0] not in AUTHORITIES:
        return f"第1位登记管理部门代码“{code[0]}”无效"
    if not code[2:8].isdigit():
        return "第3–8位应为行政区划代码（6位数字）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验码错误：第18位应为“{expected}”"
    return None


def validate_credit_code(value: str) -> None:
    from django.core.exceptions import ValidationError

    error = credit_code_error(value)
    if error:
        raise ValidationError(f"统一社会信用代码{error}", code="invalid_credit_code")
