"""Each normalising step on its own, on the seeds' damage and on the cases where it must leave the text alone."""

from __future__ import annotations

from jianfu import shipped
from jianfu.adapters.intake.normalise import (drop_pinyin, find_mojibake, normalise, restore_separators,
                                             strip_web_chrome, to_simplified)
from jianfu.adapters.intake.readers import read_file

SOURCES = shipped("rules") / "sources"
S000 = (SOURCES / "000_86517728c97d515c.txt").read_text(encoding="utf-8")
S002 = (SOURCES / "002_22a072f485a76a77.txt").read_text(encoding="utf-8")


def test_web_chrome_of_002_goes_and_the_document_stays():
    text, removed = strip_web_chrome(S002)
    for chrome in ("当前栏目", "网站地图", "主办: 萍乡市人民政府", "赣ICP备", "公安机关备案号", "中共萍乡市委 萍乡市人大 萍乡市政协", "来源:市政府办公室"):
        assert chrome not in text, chrome
        assert any(chrome in line for line in removed), chrome
    assert "萍乡市人民政府办公室关于印发2020年全市“五型”政府建设工作要点的通知" in text
    assert "继续坚持“无会月”制度" in text


def test_a_document_line_that_mentions_the_site_stays():
    line = "各地要在政府门户网站开设专栏，主动公开督查检查考核计划。"
    assert strip_web_chrome(line)[0] == line


def test_traditional_to_simplified_keeps_mainland_forms():
    assert to_simplified("堅持以習近平新時代中國特色社會主義思想為指導，著力打造") == "坚持以习近平新时代中国特色社会主义思想为指导，着力打造"


def test_pinyin_after_characters_goes():
    assert drop_pinyin("各县(区(qū))人民政府、开发(fā)区(qū)管委会") == ("各县(区)人民政府、开发区管委会", 3)
    first_line_000 = to_simplified(S000.splitlines()[0])
    assert drop_pinyin(first_line_000)[0] == "各县(区)人民政府、开发区管委会,市政府各部门:"


def test_parentheses_that_are_text_stay():
    for text in ("各县(区)人民政府", "政务服务(APP)", "移动端(app)上线", "(此件主动公开)", "第(一)项"):
        assert drop_pinyin(text) == (text, 0)


def test_lost_brackets_and_separators_restored_where_one_reading():
    text, repairs, ambiguous = restore_separators("萍府办字202026\n              2020424\n20206月底前,建成")
    assert text.splitlines() == ["萍府办字〔2020〕26号", "              2020年4月24日", "2020年6月底前,建成"]
    assert [r.step for r in repairs] == ["doc_no", "date", "year_month"]
    assert ambiguous == []


def test_a_run_that_reads_two_ways_is_left_and_listed():
    text, repairs, ambiguous = restore_separators("2020114")  # 2020年1月14日 or 2020年11月4日
    assert text == "2020114" and repairs == [] and len(ambiguous) == 1


def test_numbers_that_are_no_date_stay():
    for line in ("政府网站标识码3603000018", "举报电话0799-6881101", "投入资金2020426万元", "2020年4月24日"):
        assert restore_separators(line)[0] == line


def test_already_sound_number_is_unchanged_and_brackets_made_standard():
    assert restore_separators("洪府字〔2022〕103号")[0] == "洪府字〔2022〕103号"
    assert restore_separators("景府字[2017]26号")[0] == "景府字〔2017〕26号"
    assert restore_separators("景府字(2017)26号")[0] == "景府字〔2017〕26号"


def test_mojibake_of_000_is_listed_with_its_line():
    text = normalise(S000).text
    found = find_mojibake(text)
    assert any("确?!氨O(" in item["text"] for item in found)
    line = next(item["line"] for item in found if "确?" in item["text"])
    assert "确?!氨O(" in text.splitlines()[line - 1]


def test_clean_text_has_no_mojibake():
    assert find_mojibake("经研究，决定召开会议。请问是否参加？") == []


def test_gbk_and_gb18030_files_read(tmp_path):
    words = "关于召开2019年全市教育工作会议的通知\n各县（市、区）教育局：\n"
    for encoding in ("gbk", "gb18030", "utf-8", "utf-8-sig"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(words.encode(encoding))
        assert read_file(path).text == words, encoding


def test_html_saved_from_a_page_reads_as_lines(tmp_path):
    page = ("<html><head><meta charset='gbk'><title>x</title><style>p{}</style></head><body>"
            "<div class='nav'>首页</div><p>关于召开会议的通知</p><p>各县（区）：</p>"
            "<table><tr><td>指标</td><td>目标值</td></tr><tr><td>整改率</td><td>100%</td></tr></table>"
            "<script>var a=1;</script></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("gbk"))
    raw = read_file(path)
    assert "关于召开会议的通知" in raw.text.splitlines() and "var a" not in raw.text
    assert raw.tables == [[["指标", "目标值"], ["整改率", "100%"]]]
    assert "首页" not in normalise(raw.text).text


def test_kangxi_radicals_of_a_pdf_become_ideographs_and_fullwidth_stays():
    from jianfu.adapters.intake.normalise import unify_radicals

    assert unify_radicals("2019年5\u2f4910\u2f47 进\u2f00步") == "2019年5月10日 进一步"
    assert unify_radicals("各县（市、区）财政局：") == "各县（市、区）财政局："


def test_spaces_a_pdf_sets_around_digits_go_and_spaces_between_organs_stay():
    from jianfu.adapters.intake.normalise import close_number_spaces

    assert close_number_spaces("景财字〔 2019 〕 15 号") == "景财字〔2019〕15号"
    assert close_number_spaces("2019 年 5 月 10 日") == "2019年5月10日"
    assert close_number_spaces("景德镇市教育局    景德镇市卫生健康委员会") == "景德镇市教育局    景德镇市卫生健康委员会"
    assert close_number_spaces("version 2 of A 1") == "version 2 of A 1"


def test_chinese_shown_in_a_western_code_page_reads_back():
    from jianfu.adapters.intake.normalise import repair_latin_mojibake

    title = "关于召开全市教育工作会议的通知"
    for shown in (title.encode("gbk").decode("latin-1"), title.encode("utf-8").decode("latin-1")):
        text, repairs = repair_latin_mojibake(f"{shown}\n各县（市、区）教育局：")
        assert text.split("\n") == [title, "各县（市、区）教育局："]
        assert [(r.step, r.after, r.line) for r in repairs] == [("mojibake", title, 1)]
    assert "第1行补全" in normalise(title.encode("gbk").decode("latin-1")).notes[0]


def test_western_text_is_left_alone():
    from jianfu.adapters.intake.normalise import repair_latin_mojibake

    for text in ("Café déjà vu, naïve façade", "£100 ± 5 µm", "ÀÁÂÃ"):
        assert repair_latin_mojibake(text) == (text, [])
