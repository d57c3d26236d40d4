import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruralhub.accounts.credit_code import ALPHABET, check_character, credit_code_error

# Published codes of real enterprises, and the worked example used in GB 32100-2015 explanations.
KNOWN_GOOD = [
    "914403001922038216",  # 华为技术有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91350100M000100Y43",
]

bodies = st.builds(
    lambda authority, kind, area, org: authority + kind + area + org,
    st.sampled_from("123456789ANY"),
    st.sampled_from(ALPHABET),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@pytest.mark.parametrize("code", KNOWN_GOOD)
def test_published_codes_are_valid(code):
    assert credit_code_error(code) is None


@given(bodies)
def test_a_code_with_its_computed_check_character_is_valid(body):
    assert credit_code_error(body + check_character(body)) is None


@given(bodies, st.integers(min_value=0, max_value=16), st.sampled_from(ALPHABET))
def test_changing_any_one_character_is_caught(body, position, replacement):
    code = body + check_character(body)
    if replacement == code[position]:
        return
    altered = code[:position] + replacement + code[position + 1 :]
    assert credit_code_error(altered) is not None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91330100799655058", "应为18位，实际为17位"),
        ("91330100799655058b", "含有不允许的字符：b"),
        ("91330100799655O58B", "含有不允许的字符：O"),
        ("B1330100799655058B", "第1位登记管理部门代码“B”无效"),
        ("9133A100799655058B", "第3–8位应为行政区划代码"),
        ("91330100799655058C", "校验码错误：第18位应为“B”"),
    ],
)
def test_a_bad_code_says_why(code, reason):
    assert reason in credit_code_error(code)
