"""The communication plan's topics: canonical id -> Vietnamese name, in the plan's order.

The one table every part of the monitor agrees on (classifier output, labels, digest sections and
reports), copied from ../shared/plan/topics.md. The order is the plan's and is the order sections
appear in the digest; change it only together with that document.
"""

from __future__ import annotations

PLAN_TOPICS: tuple[tuple[str, str], ...] = (
    ("chinh-sach", "Chủ trương, chính sách, pháp luật về giáo dục"),
    ("doi-moi-chat-luong", "Đổi mới căn bản, toàn diện; chất lượng giáo dục"),
    ("covid", "Ứng phó dịch COVID-19"),
    ("chuong-trinh-2018", "Chương trình giáo dục phổ thông 2018"),
    ("tuyen-sinh", "Thi tuyển sinh lớp 10, tuyển sinh đầu cấp"),
    ("chien-luoc", "Chiến lược phát triển giáo dục 2021–2030"),
    ("huong-nghiep", "Hướng nghiệp, phân luồng sau THCS"),
    ("doi-ngu", "Đội ngũ nhà giáo, cán bộ quản lý; sắp xếp cơ sở giáo dục"),
    ("hoi-nhap", "Hội nhập quốc tế trong giáo dục"),
    ("dao-duc-ky-nang", "Giáo dục đạo đức, lối sống, kỹ năng sống"),
    ("an-toan-truong-hoc", "An ninh, an toàn trường học"),
    ("y-te-the-chat", "Y tế trường học, thể chất, dinh dưỡng"),
    ("guong-dien-hinh", "Nhân tố điển hình, người tốt việc tốt"),
    ("chuyen-doi-so", "Cải cách hành chính, chuyển đổi số"),
    ("thi-dua", "Phong trào thi đua, cuộc vận động"),
    ("de-an-06", "Đề án 06: dữ liệu dân cư, định danh điện tử"),
    ("hoc-phi-thu-chi", "Học phí, các khoản thu"),
)

TOPIC_IDS: tuple[str, ...] = tuple(t for t, _ in PLAN_TOPICS)
TOPIC_NAMES: dict[str, str] = dict(PLAN_TOPICS)
# topics.md adds these "beyond the plan's list": watched beside the plan's topics, never passed off as one of them
# where the clipping or the report heads its topics "of the communication plan" (a report goes up to the Sở)
BEYOND_PLAN: frozenset[str] = frozenset({"hoc-phi-thu-chi"})
BEYOND_PLAN_MARK = " (theo dõi thêm, ngoài kế hoạch)"


def topic_name(topic_id: str) -> str:
    """The Vietnamese name of a topic id; an unknown id is shown as itself rather than dropped."""
    return TOPIC_NAMES.get(topic_id, topic_id)


def plan_heading(topic_id: str) -> str:
    """A topic's name under a heading that says its topics are the plan's: one the plan does not list says so."""
    return topic_name(topic_id) + (BEYOND_PLAN_MARK if topic_id in BEYOND_PLAN else "")


def strongest_first(topics, scores) -> tuple[str, ...]:
    """Topics by score, the plan's order breaking ties: the clipping files an article under the first, and
    an alert names the same one."""
    order = {t: i for i, t in enumerate(TOPIC_IDS)}
    return tuple(sorted(topics, key=lambda t: (-scores.get(t, 0.0), order.get(t, len(order)))))
