"""Articles that report an education authority's response to an incident: "Sở GD&ĐT lên tiếng vụ …", "Phòng GD&ĐT
chỉ đạo làm rõ", "UBND quận yêu cầu báo cáo", the office's own statement.

Such an article joins the incident's story, and the clipping and the case list it (the office needs to see that its
answer was reported), but it tells leadership nothing they must be warned of: they gave the answer, or an
authority under them did. Counted with the story, it added an outlet, national reach and negative tone, and raised the story's level, so
the office's own answer sent "Mức độ tăng …" to leadership. Triage's score leaves these articles out
(monitor.triage.score_story); what they are is read here.

An article is a response when, in its title or sapo, the office (by its configured name) or an authority at its level
or below it (for a Phòng: a Phòng GD&ĐT, a district's or commune's people's committee and their heads; for a Sở, a
Sở GD&ĐT as well) is the subject of a response verb (lên tiếng, chỉ đạo, yêu cầu, xác minh, xử lý, kỷ luật, phản
hồi, …) that follows it closely, and nothing in the title or sapo tells a new development (an arrest or a charge, a
death, another victim, a new accusation, signs of a violation found, the Prime Minister taking it up) or an
authority above the office stepping in (the ministry, the province's people's committee; the Sở above a Phòng):
that the issue reached them is news for leadership, whatever the office also said. An authority that suffers the
verb ("Giám đốc Sở bị tạm đình chỉ") or is only asked to act ("trường mong Bộ thanh tra") is no subject. "Kỷ luật"
counts as a response only with the authority as its subject: a discipline decision the office took is its own answer
(leadership knows it), while "cô giáo bị kỷ luật" without them may be the school's, news the leader must be told.
Matching is the rules' (classifiers.rules: NFC, one tone placement, diacritic-insensitive for unmarked text).

Measured 2026-11-28 on the RSS archive of ../shared: the articles that the grouping (monitor.stories.StoryIndex, 7 days'
follow-up reach) joins to the 1,126 hot-labelled items in it were 400, in 201 stories. Read as a Sở's, the rule marks
18 of them (in 16 stories), each read: a Sở's or a ward's statement, directive, inquiry or discipline decision, a
school's fix reported; as a Phòng's, 6. A first version that took every education authority for the office marked
37 (34 answers, 3 debatable), of which 19 were the ministry's or a province's committee's: for the office, that the
issue reached them is news. Authorities' answers left counted are also a school's or a university's own ("nhà trường
nói gì"), by design.
"""

from __future__ import annotations

from functools import lru_cache

# Who answers: the office itself (feeds.yaml adds its name) and the authorities at its level and below it. Kind words
# in lower case: the matcher reads a capitalised term's lowercase words capitalised too (Sở, sở).
DISTRICT_AUTHORITIES = ("phòng GD&ĐT", "phòng GDĐT", "phòng giáo dục và đào tạo", "phòng giáo dục",
                        "phòng văn hóa xã hội", "phòng văn hóa - xã hội", "trưởng phòng GD&ĐT", "trưởng phòng giáo dục",
                        "lãnh đạo phòng", "UBND", "ủy ban nhân dân", "chủ tịch UBND", "chủ tịch quận", "chủ tịch huyện",
                        "chủ tịch phường", "chủ tịch xã", "ngành giáo dục")
DEPARTMENT_AUTHORITIES = ("sở GD&ĐT", "sở GDĐT", "sở giáo dục và đào tạo", "sở giáo dục", "giám đốc sở",
                          "phó giám đốc sở", "lãnh đạo sở", "thanh tra sở")
# An authority above the office stepping in is no answer of the office's but a sign the issue has grown (the ministry
# asks a province for a report; a province's chairman orders an inquiry of a Phòng's school): it counts, and an
# article whose title or sapo tells one counts whatever the office also said. The province's own people's committee
# is above a Sở as above a Phòng; a Sở is above a Phòng.
SUPERIORS = ("bộ GD&ĐT", "bộ GDĐT", "bộ giáo dục và đào tạo", "bộ giáo dục", "bộ trưởng", "thứ trưởng", "thanh tra bộ",
             "UBND tỉnh", "UBND thành phố", "ủy ban nhân dân tỉnh", "ủy ban nhân dân thành phố", "chủ tịch UBND tỉnh",
             "chủ tịch UBND thành phố", "chủ tịch tỉnh", "chủ tịch thành phố", "lãnh đạo tỉnh", "lãnh đạo thành phố")


def authorities(department: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the authorities whose answer is the office's own or its subordinates', those above it) for a Sở
    (`department`) or a Phòng."""
    if department:
        return DISTRICT_AUTHORITIES + DEPARTMENT_AUTHORITIES, SUPERIORS
    return DISTRICT_AUTHORITIES, SUPERIORS + DEPARTMENT_AUTHORITIES


# What an authority does when it answers an incident. "kiểm tra", "thanh tra" and "kết luận" are its own inquiry:
# leadership ordered or received it.
RESPONSE_VERBS = ("lên tiếng", "chỉ đạo", "yêu cầu", "đề nghị", "làm rõ", "xác minh", "xử lý", "kỷ luật",
                  "đình chỉ", "cách chức", "thông tin", "thông báo", "phản hồi", "trả lời", "báo cáo", "vào cuộc",
                  "giải trình", "xin lỗi", "nói gì", "nói về", "khẳng định", "bác bỏ", "kiểm tra", "thanh tra",
                  "kết luận", "chấn chỉnh", "họp khẩn", "làm việc", "công văn", "hỏa tốc", "chia sẻ")
# A new development told in the same title or sapo: the article is news, whoever else it quotes.
REVELATIONS = ("khởi tố", "bắt giữ", "bị bắt", "bắt tạm giam", "tạm giam", "tạm giữ", "truy tố", "công an",
               "tử vong", "qua đời", "thiệt mạng", "nạn nhân thứ", "thêm một", "thêm nhiều", "thêm học sinh",
               "thêm phụ huynh", "thêm nạn nhân", "phát hiện thêm", "tiếp tục phát hiện", "lại xảy ra", "tố cáo",
               "tố giác", "clip mới", "lời khai", "nhập viện", "có dấu hiệu", "dấu hiệu vi phạm", "thôi phụ trách",
               "thủ tướng")
# Words that make the authority after them an object, not the subject ("trường mong Bộ thanh tra", "đề nghị Sở xử lý"),
# or the verb after them a passive ("Giám đốc Sở bị tạm đình chỉ": the authority suffers it, news)
OBJECT_BEFORE = ("mong", "đề nghị", "kiến nghị", "đề xuất", "tố", "kiện")
PASSIVE_BEFORE = ("bị",)
# At most this many syllables between the end of the authority's name and its verb ("Phòng GD&ĐT quận Long Biên đã có
# văn bản chỉ đạo")
MAX_GAP = 8
FIELDS = ("title", "sapo")
AUTHORITY, SUPERIOR, VERB, REVELATION, OBJECT, PASSIVE = ("resp:who", "resp:above", "resp:verb", "resp:news", "resp:obj",
                                                         "resp:passive")


@lru_cache(maxsize=8)
def _matcher(office_names: tuple[str, ...], department: bool):
    from classifiers.rules import load_rules

    rules = load_rules()  # the shipped file: only its matcher is used, with these terms alone
    own, above = authorities(department)
    entries = [(AUTHORITY, t, 1.0) for t in (*own, *(n for n in office_names if n.strip()))]
    entries += [(SUPERIOR, t, 1.0) for t in above]
    entries += [(VERB, t, 1.0) for t in RESPONSE_VERBS] + [(REVELATION, t, 1.0) for t in REVELATIONS]
    entries += [(OBJECT, t, 1.0) for t in OBJECT_BEFORE] + [(PASSIVE, t, 1.0) for t in PASSIVE_BEFORE]
    return rules, rules.index_with(entries, rules_too=False)


def _length(term: str) -> int:
    from classifiers.text import nfc, syllables

    return len(syllables(nfc(term)))


# triage reads every member of a story at each rescoring: a story of many near-copies repeats a few titles
@lru_cache(maxsize=4096)
def is_response(title: str, sapo: str = "", office_names: tuple[str, ...] = (), department: bool = True) -> bool:
    """Whether an article (its title and sapo) reports the office's or a lower authority's response to an incident,
    and no new development of it nor an authority above the office stepping in (see the module's docstring).
    `office_names`: the office's name and short name (feeds.yaml); `department`: the office is a Sở, not a Phòng."""
    rules, index = _matcher(office_names, department)
    m = rules.match_fields([(f, t) for f, t in zip(FIELDS, (title or "", sapo or ""))], index)
    if m.has(REVELATION):
        return False
    answered = False
    for field in FIELDS:
        ends = {h.at + _length(h.term) for h in m.hits if h.group == OBJECT and h.field == field}
        passive = {h.at + _length(h.term) for h in m.hits if h.group == PASSIVE and h.field == field}
        # "tạm đình chỉ" is read as "đình chỉ": "bị tạm đình chỉ" is a passive too
        passive |= {k + 1 for k in passive}
        verbs = [h for h in m.hits if h.group == VERB and h.field == field and h.at not in passive]
        above = [h for h in m.hits if h.group == SUPERIOR and h.field == field and h.at not in ends]
        if _acts(above, verbs):
            return False
        # "UBND tỉnh" is an "UBND" too: the one starting where a superior's name starts is that superior
        starts = {h.at for h in above}
        who = [h for h in m.hits if h.group == AUTHORITY and h.field == field and h.at not in ends | starts]
        if _acts(who, verbs):
            answered = True
    return answered


def _acts(subjects, verbs) -> bool:
    """Whether one of the `subjects` is followed closely by one of the `verbs`."""
    return any(0 <= v.at - (s.at + _length(s.term)) <= MAX_GAP for s in subjects for v in verbs)


def office_names(config) -> tuple[str, ...]:
    """The office's names as feeds.yaml gives them, for is_response."""
    return (config.office.name, config.office.short_name)
