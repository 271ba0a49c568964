"""Chinese words in both scripts."""

from precompute.chinese_script import both_scripts


def test_simplified_and_traditional_forms_both_come_back():
    assert both_scripts("电脑") == ["电脑", "電腦"]
    assert both_scripts("電腦") == ["電腦", "电脑"]
    assert both_scripts("头发") == ["头发", "頭髮"]  # a phrase table, not one character at a time (not 頭發)
    assert both_scripts("狗") == ["狗"]  # the same in both
