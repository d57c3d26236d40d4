from ruralhub.core.privacy import mask_id_number, mask_phone


def test_phones_keep_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0578-8123401") == "057*****3401"
    assert mask_phone("") == ""


def test_id_numbers_keep_the_first_three_and_last_four():
    assert mask_id_number("330823199001011234") == "330***********1234"
    assert mask_id_number("33082319900101123X") == "330***********123X"
