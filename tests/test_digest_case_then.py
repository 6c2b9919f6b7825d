"""An earlier day's clipping built again (a preview, a resend, months later) is an archive: its hot issues' cases as
they stood when it was delivered (else at its cut-off), with the status since said beside, not today's status and
actions as if they had been known that morning."""

from __future__ import annotations

from datetime import timedelta

from monitor.cases import DISMISSED
from monitor.digest import build_and_deliver_digest
from monitor.digest_delivery import load_digest
from monitor.render import render_text
from test_digest import DAY, NOW, _reprinted_poisoning, make_app, seed_day

LATER = NOW + timedelta(days=2, hours=3)  # 10:30 on 28/11 in Hà Nội


def _delivered_then_handled(tmp_path):
    app = make_app(tmp_path)
    store = app.store
    ids = seed_day(store)
    story, _ = _reprinted_poisoning(store, ids, "nhap-vien", ["học sinh nhập viện"])
    case, _ = store.open_case(story, NOW - timedelta(hours=3))
    store.update_case(case, NOW - timedelta(hours=2), by="Chị Lan", status="đã tiếp nhận",
                      note="Đã liên hệ nhà trường, nắm số học sinh nhập viện")
    sent = build_and_deliver_digest(app, DAY)
    assert sent.status == "outbox"
    store.update_case(case, LATER - timedelta(hours=1), by="Chị Lan", status="đã xử lý",
                      note="Nhà trường đã đổi đơn vị cung cấp suất ăn bán trú")
    return make_app(tmp_path, now=LATER), ids, story, case


def test_a_past_clipping_shows_the_case_as_it_stood_then_and_says_its_status_now(tmp_path):
    later, ids, story, _ = _delivered_then_handled(tmp_path)
    d = load_digest(later, DAY)
    (item,) = [i for i in d.hot.items if i.story_id == story]
    assert item.case_status == "đã tiếp nhận"
    assert "Đã liên hệ nhà trường" in item.outcome and "đổi đơn vị" not in item.outcome
    assert item.case_label == "đã tiếp nhận — cập nhật đến ngày 28/11/2026: đã xử lý"
    text = render_text(d)
    assert "Tình trạng xử lý: đã tiếp nhận — cập nhật đến ngày 28/11/2026: đã xử lý" in text
    assert "đổi đơn vị cung cấp suất ăn" not in text
    # the latest clipping tells the case as it is
    today = load_digest(later, DAY + timedelta(days=2))
    assert all(i.status_since == "" for i in today.hot.items)


def test_an_issue_dismissed_since_stays_in_the_clipping_that_listed_it_and_says_so(tmp_path):
    later, ids, story, case = _delivered_then_handled(tmp_path)
    later.store.dismiss_case(case, LATER, by="Chị Lan", status=DISMISSED, note="tin cũ đăng lại",
                             education={ids["ngo-doc"]: True}, label_note="tin cũ đăng lại")
    (item,) = [i for i in load_digest(later, DAY).hot.items if i.story_id == story]
    assert item.case_label == f"đã tiếp nhận — cập nhật đến ngày 28/11/2026: {DISMISSED}"


def test_a_day_never_delivered_is_read_as_of_its_cutoff(tmp_path):
    app = make_app(tmp_path)
    ids = seed_day(app.store)
    story, _ = _reprinted_poisoning(app.store, ids, "nhap-vien", ["học sinh nhập viện"])
    app.store.open_case(story, NOW)  # 07:30, after the cut-off at 07:00
    (item,) = [i for i in load_digest(make_app(tmp_path, now=LATER), DAY).hot.items if i.story_id == story]
    assert item.case_status is None and item.status_since == "cập nhật đến ngày 28/11/2026: chưa tiếp nhận xử lý"
