"""Alert channels and the persistent outbox: e-mail, a JSON webhook, Telegram.

Triage queues an alert with one delivery row per configured channel; `deliver_outbox` sends what is due.
A delivery is claimed (a lease counted from the moment of the claim) before it is sent and marked sent
right after, so two runs never send it twice; a failure keeps the row pending with the error and a
back-off, so a channel that is down gets the alert later, and `monitor alerts` shows what keeps failing.
Alerts are delivered at least once, and a copy that may be a second one is recorded as such (in doubt):
when the server took the whole message but never answered (an SMTP timeout after DATA, a webhook that
answers after our timeout), and when a process died after the alert left but before it recorded the
outcome (the row is marked just before the alert leaves; a run that finds the mark after the lease is
over counts that attempt in doubt and sends again). A process that died before the alert left sends it
once, unflagged. Such a copy goes by itself once (AUTO_RESENDS_IN_DOUBT): after a second attempt in doubt the
delivery waits for a person (`monitor alerts --send --now`), each further copy being one more in leadership's hands.
Receivers know an alert by its uid (the webhook's alert_id): the row number comes again after a restore.
Quiet hours hold all but urgent alerts, when the alert is queued and again when a failed one is retried.
A delivery still waiting is cancelled when the story's case is dismissed, and superseded when a newer
alert of the story is queued for the channel (monitor.store.stories). An e-mail the server took for
some recipients and refused for others is sent, with the refusals recorded and shown; it is never sent
again to those who got it.

SMTP goes through monitor.mail; webhook and Telegram POSTs go through monitor.fetch.post_json (the
one module that talks HTTP), whose errors are translated to NotifyError here (a request the receiver
had whole but never answered, RequestInDoubt, to MessageInDoubt).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable, Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.config import AlertChannel, Config, clock_time, score_text
from monitor.cases import status_word
from monitor.errors import FetchError, MessageInDoubt, NotifyError, RequestInDoubt
from monitor.wording import RESPONSE_TAG, time_label

log = logging.getLogger(__name__)

RETRY_MINUTES = (1, 2, 5, 10, 30)  # back-off after the 1st, 2nd, ... failure; the last repeats
# A delivery is sent again by itself after one attempt that may have arrived; once a second has too (a server that
# keeps taking the message and never confirming it), each resend is one more copy in leadership's mailbox, so it
# waits for a person (`monitor alerts --send --now`), held until then at HELD_IN_DOUBT.
AUTO_RESENDS_IN_DOUBT = 1
HELD_IN_DOUBT = datetime(9999, 1, 1, tzinfo=ZoneInfo("UTC"))
CLAIM_MINUTES = 5  # a delivery being sent is invisible to other runs this long
TELEGRAM_LIMIT = 4000  # Telegram refuses messages over 4096 characters
URGENT_RANK = 0  # index of the highest severity in config.alerts.thresholds


@dataclass(frozen=True)
class Alert:
    id: int
    story_id: int
    kind: str  # new | escalation
    severity: str
    hot_score: float
    n_national: int
    created_at: datetime
    subject: str
    body: str
    payload: dict = field(compare=False)
    # what receivers know it by (the webhook's alert_id, X-Monitor-Alert-Id): random, never given to another alert,
    # where `id`, the number `monitor alerts` shows, comes again after a restore from a backup or from another install
    uid: str = ""


@dataclass(frozen=True)
class Delivery:
    alert_id: int
    channel: str
    status: str  # pending | sent | cancelled (case dismissed) | superseded (a newer alert of the story)
    not_before: datetime
    next_attempt_at: datetime
    attempts: int = 0
    last_attempt_at: datetime | None = None
    last_error: str | None = None  # for cancelled / superseded: why
    sent_at: datetime | None = None
    refused: dict = field(default_factory=dict)  # recipient -> the SMTP server's refusal
    in_doubt: int = 0  # attempts that may have arrived unrecorded: unconfirmed by the server, or cut off by a kill
    handing_over_at: datetime | None = None  # the current attempt's alert is leaving (or left, if its process died)


@dataclass
class DeliveryReport:
    sent: list[tuple[int, str]] = field(default_factory=list)  # (alert id, channel)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (alert id, channel, error)
    waiting: int = 0  # pending deliveries not yet due (quiet hours, back-off)
    refused: list[tuple[int, str, dict]] = field(default_factory=list)  # (alert id, channel, recipient -> answer)
    held: list[tuple[int, str]] = field(default_factory=list)  # (alert id, channel) left in doubt for a person

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def idle(self) -> bool:
        """Nothing was due, sent, failed or waiting: `monitor serve`'s job log leaves the stage out."""
        return not (self.sent or self.failed or self.waiting or self.refused or self.held)

    def summary(self) -> str:
        """One line for the demo, `monitor serve`'s job log and the CLI."""
        return str(self)

    def __str__(self) -> str:
        refused = sum(len(r) for _, _, r in self.refused)
        parts = [f"gửi được {len(self.sent)} lượt cảnh báo" if self.sent else "",
                 f"{len(self.failed)} lượt gửi cảnh báo bị lỗi (sẽ thử lại)" if self.failed else "",
                 f"{self.waiting} lượt cảnh báo chờ đến lúc gửi" if self.waiting else "",
                 f"{refused} người nhận bị máy chủ từ chối" if refused else "",
                 f"{len(self.held)} lượt cảnh báo có thể đã tới nhiều lần nên không tự gửi lại, chờ người kiểm tra "
                 "(monitor alerts)" if self.held else ""]
        return ", ".join(p for p in parts if p) or "không có cảnh báo nào đến lúc gửi"


# ---------------------------------------------------------------------- channels and quiet hours


def channel_key(ch: AlertChannel) -> str:
    """A stable name for a channel: the outbox remembers deliveries by it."""
    if ch.kind == "email":
        return "email:" + ",".join(ch.recipients)
    if ch.kind == "webhook":
        # a URL that is itself the credential is named by its variable, so it never reaches the store or a listing
        return "webhook:$" + ch.url_env if ch.url_env else "webhook:" + ch.url
    return f"telegram:{ch.chat_id}"


def channels_by_key(config: Config) -> dict[str, AlertChannel]:
    return {channel_key(c): c for c in config.alerts.channels}


def quiet_until(now: datetime, quiet_hours: str, tz: ZoneInfo) -> datetime | None:
    """The end of the quiet period `now` falls in ("22:00-06:00", office time), or None outside it."""
    if not quiet_hours or "-" not in quiet_hours:
        return None
    start, end = (clock_time(x) for x in quiet_hours.split("-"))
    if start == end:
        return None
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    today_end = datetime.combine(local.date(), end, tzinfo=tz)
    if start < end:  # same-day span, e.g. 12:00-13:30
        return today_end if start <= t < end else None
    if t >= start:  # after the evening start: quiet until tomorrow's end
        return datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    if t < end:  # early morning
        return today_end
    return None


def is_urgent(config: Config, severity: str) -> bool:
    return bool(config.alerts.thresholds) and severity == config.alerts.thresholds[URGENT_RANK][0]


def not_before(config: Config, severity: str, at: datetime) -> datetime:
    """`at`, or the end of the quiet hours it falls in unless the alert is urgent."""
    hold = None if is_urgent(config, severity) else quiet_until(at, config.alerts.quiet_hours, config.office.tz)
    return hold or at


def delivery_plan(config: Config, severity: str, now: datetime) -> list[tuple[str, datetime]]:
    """(channel key, not before) for a new alert: quiet hours hold all but urgent alerts."""
    if not config.alerts.enabled:
        return []
    return [(channel_key(c), not_before(config, severity, now)) for c in config.alerts.channels]


# ---------------------------------------------------------------------- sending


def _post_json(config: Config, url: str, body: bytes, headers: dict[str, str], timeout: float,
               on_hand_over: Callable[[], None] | None, *, secret: str = "", shown: str = "***") -> int:
    """POST through monitor.fetch (and the office's proxy, crawler.proxy, when one is set); `secret` (a token
    inside the URL, or the whole URL) never reaches an error, a log or the outbox: `shown` stands for it.
    `timeout` (the channel's) bounds each wait; the whole POST gets fetch.POST_DEADLINE, or that timeout if
    longer, so that a receiver trickling its answer cannot hold the delivery run (and the claims it has yet
    to make) for ever: past it, the attempt fails and is retried as any other."""
    from monitor import fetch

    try:
        return fetch.post_json(url, body, headers, timeout, on_hand_over=on_hand_over, crawler=config.crawler,
                               deadline=max(fetch.POST_DEADLINE, timeout))
    except RequestInDoubt as exc:
        # the receiver had the whole request: like an e-mail the server took without confirming it
        raise MessageInDoubt(_redact(f"nơi nhận chưa xác nhận yêu cầu POST {url}: {exc}", secret, shown)) from None
    except FetchError as exc:
        raise NotifyError(_redact(f"không gửi được yêu cầu POST {url}: {exc}", secret, shown)) from None


def _redact(text: str, secret: str, shown: str = "***") -> str:
    """The text with the secret's exact value masked, wherever it appears (a relay's path may hold "/bot" too)."""
    return text.replace(secret, shown) if secret else text


def webhook_url(ch: AlertChannel) -> str:
    """The URL a webhook channel posts to: as written, or read from its url_env variable at the time of sending
    (so that a rotated URL needs no restart)."""
    if not ch.url_env:
        return ch.url
    url = os.environ.get(ch.url_env, "").strip()
    if not url:
        raise NotifyError(f"biến môi trường {ch.url_env} (URL của webhook) chưa được đặt",
                          hint=f"export {ch.url_env}=https://... (URL mà dịch vụ nhận đã cấp)")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise NotifyError(f"biến môi trường {ch.url_env} (URL của webhook) không chứa một URL http(s)",
                          hint=f"export {ch.url_env}=https://... (toàn bộ URL mà dịch vụ nhận đã cấp)")
    return url


def alert_message_id(config: Config, alert: Alert, channel: str) -> str:
    """The same Message-ID for every attempt of one alert on one channel, so that a copy sent again after
    an attempt the server may have taken is recognisably the same message (mail clients and servers that
    deduplicate by Message-ID drop it; a person sees the same message twice, not two alerts)."""
    domain = config.smtp.sender.rsplit("@", 1)[-1].strip(" >") if "@" in config.smtp.sender else "edu-media-monitor"
    tag = hashlib.sha256(channel.encode("utf-8")).hexdigest()[:10]
    return f"<canh-bao-{alert.id}.{alert.created_at:%Y%m%d%H%M%S}.{tag}@{domain}>"


def send_email(config: Config, ch: AlertChannel, alert: Alert, *,
               on_hand_over: Callable[[], None] | None = None, now: datetime | None = None) -> dict[str, str]:
    """E-mail the alert; returns the recipients the server refused (address -> its answer). `now`: when it is
    sent (the monitor's clock), for the Date header in the office's time zone, as the digest's."""
    from monitor.mail import MAIL_POLICY, send_message

    msg = EmailMessage(policy=MAIL_POLICY)  # a long Vietnamese subject keeps its spaces when folded
    msg["Subject"] = alert.subject
    msg["To"] = ", ".join(ch.recipients)
    if config.smtp.sender:
        msg["From"] = config.smtp.sender
    msg["Date"] = format_datetime((now or datetime.now(config.office.tz)).astimezone(config.office.tz))
    msg["Message-ID"] = alert_message_id(config, alert, channel_key(ch))
    msg["X-Monitor-Alert-Id"] = alert_ref(alert)
    msg.set_content(alert.body, charset="utf-8")
    return send_message(config.smtp, msg, on_hand_over=on_hand_over)


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Monitor-Signature: HMAC-SHA256 over the timestamp, a dot and the exact body bytes. Signing the time
    lets a receiver refuse a captured request replayed later (README: verifying a webhook)."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def alert_ref(alert: Alert) -> str:
    """The alert's id for receivers, the same at every attempt and on every channel, never another alert's."""
    return alert.uid or f"{alert.id}.{alert.created_at:%Y%m%d%H%M%S}"


def send_webhook(config: Config, ch: AlertChannel, alert: Alert, *,
                 on_hand_over: Callable[[], None] | None = None, now: datetime | None = None) -> None:
    # receivers deduplicate by alert_id (README): the row number would make a new alert after a restore look
    # like one they already had, so it travels only as alert_number, for people matching `monitor alerts`' #12
    body = json.dumps({"alert_id": alert_ref(alert), "alert_number": alert.id, **alert.payload},
                      ensure_ascii=False).encode("utf-8")
    headers = {"X-Monitor-Alert-Id": alert_ref(alert), "X-Monitor-Event": f"alert.{alert.kind}"}
    if ch.secret_env:
        secret = os.environ.get(ch.secret_env, "")
        if not secret:
            raise NotifyError(f"biến môi trường {ch.secret_env} (khóa ký của webhook) chưa được đặt",
                              hint=f"export {ch.secret_env}=... hoặc bỏ secret_env khỏi kênh này")
        # the receiver's clock judges it, so the wall clock, not the monitor's (perhaps simulated) one
        timestamp = str(int(time.time()))
        headers["X-Monitor-Timestamp"] = timestamp
        headers["X-Monitor-Signature"] = webhook_signature(secret, timestamp, body)
    url = webhook_url(ch)
    shown = f"${ch.url_env}" if ch.url_env else url
    status = _post_json(config, url, body, headers, ch.timeout_seconds, on_hand_over,
                        secret=url if ch.url_env else "", shown=shown)
    if not 200 <= status < 300:
        raise NotifyError(f"webhook {shown} trả lời mã {status}, không phải mã thành công 2xx")


def send_telegram(config: Config, ch: AlertChannel, alert: Alert, *,
                  on_hand_over: Callable[[], None] | None = None, now: datetime | None = None) -> None:
    token = os.environ.get(ch.bot_token_env, "")
    if not token:
        raise NotifyError(f"biến môi trường {ch.bot_token_env} (token của bot Telegram) chưa được đặt",
                          hint=f"export {ch.bot_token_env}=<token do @BotFather cấp>")
    text = f"{alert.subject}\n\n{alert.body}"
    if len(text) > TELEGRAM_LIMIT:
        text = text[:TELEGRAM_LIMIT - 1] + "…"
    body = json.dumps({"chat_id": ch.chat_id, "text": text, "disable_web_page_preview": True},
                      ensure_ascii=False).encode("utf-8")
    _post_json(config, f"{ch.base_url.rstrip('/')}/bot{token}/sendMessage", body, {}, ch.timeout_seconds, on_hand_over,
               secret=token)


SENDERS = {"email": send_email, "webhook": send_webhook, "telegram": send_telegram}
# what lets a person (or a receiver) recognise a second copy as the same alert, and who may see it twice,
# per channel kind
SAME_COPY = {"email": "cùng Message-ID", "webhook": "cùng X-Monitor-Alert-Id", "telegram": "cùng nội dung"}
SEEN_TWICE = {"email": "người nhận có thể thấy thư {n} lần", "webhook": "hệ thống nhận có thể nhận {n} lần",
              "telegram": "nhóm Telegram có thể thấy tin {n} lần"}
TIMES = {2: "hai", 3: "ba", 4: "bốn", 5: "năm"}


def same_copy(channel: str) -> str:
    """How a copy sent again on `channel` (a channel key) is the same message: "cùng Message-ID", ..."""
    return SAME_COPY.get(channel.partition(":")[0], "cùng nội dung")


def seen_twice(channel: str, copies: int = 2) -> str:
    """Who may see an alert `copies` times on `channel` (a channel key), as the clerk reads it: every attempt that
    may have arrived, and the one confirmed."""
    return SEEN_TWICE.get(channel.partition(":")[0], SEEN_TWICE["webhook"]).format(n=TIMES.get(copies, str(copies)))


def held_in_doubt(delivery: Delivery) -> bool:
    """A delivery that may have arrived more than once already, waiting for a person rather than sent again."""
    return delivery.status == "pending" and delivery.next_attempt_at >= HELD_IN_DOUBT


def interrupted_note(channel: str) -> str:
    """The error recorded for an attempt whose process died after the alert left and before its outcome."""
    return ("có thể đã gửi (lần gửi trước bị ngắt giữa chừng sau khi cảnh báo đã được trao đi), "
            f"sẽ gửi lại {same_copy(channel)}")


def retry_delay(attempts: int) -> timedelta:
    """Back-off after `attempts` failed attempts (1-based)."""
    return timedelta(minutes=RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1])


def _mark_handing_over(app, alert_id: int, channel: str) -> Callable[[], None]:
    """What a sender calls just before the alert leaves: the mark a run finds if this process dies before
    recording the outcome (monitor.store.stories.claim_delivery). Before it, nothing can have arrived."""
    return lambda: app.store.delivery_handing_over(alert_id, channel, app.now())


def backing_off(config: Config, alert: Alert, delivery: Delivery) -> bool:
    """Whether a pending delivery not yet due waits out the back-off after its last failed attempt (the time
    delivery_failed wrote), rather than a run's claim (whose lease ends CLAIM_MINUTES after a claim made once
    that time had come), quiet hours, or the resend of an attempt a stopped run left in doubt."""
    if delivery.last_attempt_at is None or delivery.attempts < 1 or delivery.handing_over_at is not None:
        return False
    if delivery.last_error == interrupted_note(delivery.channel):
        return False
    return delivery.next_attempt_at == not_before(config, alert.severity,
                                                  delivery.last_attempt_at + retry_delay(delivery.attempts))


def expedite_retries(app) -> int:
    """Make every delivery backing off after a failure due now (`monitor alerts --send --now`, once the analyst
    has fixed what failed: a password, a webhook URL); returns how many. Quiet hours still hold what they hold
    (deliver_outbox checks them again), and each delivery is still claimed before it is sent: one that another
    run has claimed meanwhile is left to it (store.expedite_delivery), so nothing is sent twice."""
    now = app.now()
    n = 0
    for alert, delivery in app.store.waiting_after_failure(now):
        if (backing_off(app.config, alert, delivery) or held_in_doubt(delivery)) and app.store.expedite_delivery(
                alert.id, delivery.channel, delivery.next_attempt_at, now):
            n += 1
    return n


def follow_edited_channels(app) -> int:
    """Move deliveries waiting for a channel feeds.yaml no longer has to the channel that replaced it; returns how many.

    A channel is known by what it sends to (channel_key): adding a recipient to the e-mail channel, or correcting a
    webhook's URL that kept failing, makes it another channel, and the alerts queued for the old one (held by quiet
    hours, backing off after a failure) would stay queued for ever, leadership never getting them. The replacement
    is the one channel of the same kind that the alert has no delivery for; with none, or several (which one was
    it?), the delivery waits, saying its channel is gone (deliver_outbox)."""
    configured = channels_by_key(app.config)
    now = app.now()
    moved = 0
    for alert_id, (due, every) in app.store.due_delivery_channels(now).items():
        for channel in sorted(due - configured.keys()):
            to = edited_channel(configured, channel, every)
            if to is not None and app.store.move_delivery(alert_id, channel, to, now):
                # neither key in the log: an old webhook key may be a URL that is itself a credential
                log.info("cảnh báo %s: kênh %s đã được sửa trong feeds.yaml; gửi tới kênh theo cấu hình hiện nay",
                         alert_id, channel.partition(":")[0])
                every.add(to)
                moved += 1
    return moved


def edited_channel(configured: dict[str, AlertChannel], channel: str, every: set[str]) -> str | None:
    """The channel (key) of feeds.yaml that replaced `channel`, gone from it, for an alert with deliveries on the
    channels `every`: the one channel of the same kind the alert has no delivery for; None with none or several.
    `monitor alerts` names where a waiting delivery goes by it, before follow_edited_channels moves it."""
    kind = channel.partition(":")[0]
    candidates = [k for k, ch in configured.items() if ch.kind == kind and k not in every]
    return candidates[0] if len(candidates) == 1 else None


def goes_to(config: Config, delivery: Delivery, every: set[str]) -> str | None:
    """Where a delivery goes when it is sent: its channel while feeds.yaml has it, the channel that replaced it
    after an edit (a corrected webhook URL), None when feeds.yaml has neither (it cannot be sent)."""
    configured = channels_by_key(config)
    if delivery.channel in configured:
        return delivery.channel
    return edited_channel(configured, delivery.channel, every)


def deliver_outbox(app, *, dry_run: bool = False, retry_now: bool = False) -> DeliveryReport:
    """Send every due delivery once; failures stay queued with their error and a back-off. `retry_now`: those
    backing off after a failure are due now too (expedite_retries). Deliveries queued for a channel since edited
    in feeds.yaml go to it as it is now (follow_edited_channels)."""
    store, config = app.store, app.config
    if retry_now and not dry_run:
        expedite_retries(app)
    if not dry_run:
        follow_edited_channels(app)
    now = app.now()
    report = DeliveryReport()
    channels = channels_by_key(config)
    due = store.due_deliveries(now)
    if dry_run and retry_now:
        due += [(a, d) for a, d in store.waiting_after_failure(now) if backing_off(config, a, d) or held_in_doubt(d)]
    for alert, delivery in due:
        if dry_run:
            if not_before(config, alert.severity, now) <= now:  # what quiet hours hold would not go
                report.sent.append((alert.id, delivery.channel))
            continue
        # the lease runs from the claim, not from the start of this run: a run slowed by earlier sends
        # must not take a delivery with a lease already over, free for another run to take too
        claimed_at = app.now()
        held = not_before(config, alert.severity, claimed_at)
        interrupted = interrupted_note(delivery.channel)
        if held > claimed_at:
            # due before the quiet hours began (a retry, a service that was stopped): they hold it all the same
            store.hold_delivery(alert.id, delivery.channel, claimed_at, held, interrupted=interrupted)
            continue
        if not store.claim_delivery(alert.id, delivery.channel, claimed_at, claimed_at + timedelta(minutes=CLAIM_MINUTES),
                                    interrupted=interrupted):
            continue  # another run is sending it, or it was cancelled / superseded meanwhile
        # attempts that may have arrived, the one the claim just counted (a run that died after the hand-over) included
        doubts = delivery.in_doubt + (delivery.handing_over_at is not None)
        if doubts > AUTO_RESENDS_IN_DOUBT and not retry_now:
            store.hold_delivery_in_doubt(alert.id, delivery.channel, HELD_IN_DOUBT)
            log.warning("cảnh báo %s qua %s: %d lần gửi có thể đã tới mà không được xác nhận; không tự gửi lại nữa, "
                        "chờ người kiểm tra: monitor alerts --send --now", alert.id, delivery.channel, doubts)
            report.held.append((alert.id, delivery.channel))
            continue
        if delivery.handing_over_at is not None:
            # the claim counted that attempt in doubt; this one is a copy that may be the second
            log.warning("cảnh báo %s qua %s: một lượt chạy đã dừng sau khi trao đi lúc %s; gửi lại, đánh dấu có thể trùng",
                        alert.id, delivery.channel, delivery.handing_over_at.isoformat())
        ch = channels.get(delivery.channel)
        try:
            if ch is None:
                raise NotifyError(f"kênh {delivery.channel} không còn trong feeds.yaml",
                                  hint="thêm lại kênh đó vào alerts.channels, nếu không cảnh báo vẫn nằm chờ")
            refused = SENDERS[ch.kind](config, ch, alert, on_hand_over=_mark_handing_over(app, alert.id, delivery.channel),
                                       now=claimed_at) or {}
        except NotifyError as exc:
            in_doubt = isinstance(exc, MessageInDoubt)
            # An alert the server may have taken is sent again, with the same Message-ID, and the attempt is
            # recorded as possibly delivered (`monitor alerts` shows it). Unlike the daily digest, which a
            # person reads at leisure and which waits in doubt for --resend, an alert exists to reach
            # leadership within minutes, at night too: a second copy of the same message costs a glance,
            # a hot issue nobody heard of costs the office its early warning. So alerts are delivered at
            # least once, and a copy that may be a duplicate is recognisable as such; but only one such copy goes by
            # itself: a server that never confirms would otherwise put one more in the mailbox at every retry.
            held = in_doubt and doubts + 1 > AUTO_RESENDS_IN_DOUBT
            error = ((f"có thể đã gửi (máy chủ không xác nhận), {doubts + 1} lần có thể đã tới nên không tự gửi lại nữa: "
                      if held else
                      f"có thể đã gửi (máy chủ không xác nhận), sẽ gửi lại {same_copy(delivery.channel)}: ")
                     if in_doubt else "") + str(exc) + (f" ({exc.hint})" if exc.hint and not in_doubt else "")
            failed_at = app.now()
            # a retry is a delivery like the first: quiet hours hold it unless the alert is urgent
            retry_at = HELD_IN_DOUBT if held else \
                not_before(config, alert.severity, failed_at + retry_delay(delivery.attempts + 1))
            if held:
                report.held.append((alert.id, delivery.channel))
            store.delivery_failed(alert.id, delivery.channel, failed_at, error, retry_at, in_doubt=in_doubt)
            report.failed.append((alert.id, delivery.channel, error))
            continue
        if not store.delivery_sent(alert.id, delivery.channel, app.now(), refused):
            # only another run marking it sent first gets here: it went out twice, which the lease exists to prevent
            log.warning("cảnh báo %s qua %s đã được một lượt chạy khác gửi", alert.id, delivery.channel)
            continue
        report.sent.append((alert.id, delivery.channel))
        if refused:
            report.refused.append((alert.id, delivery.channel, refused))
    report.waiting = store.count_waiting_deliveries(now, held_from=HELD_IN_DOUBT)
    return report


# ---------------------------------------------------------------------- the alert's text


def _local(dt: datetime, tz: ZoneInfo) -> str:
    return time_label(dt.astimezone(tz))  # as the clipping and the report write a time


# The subject's tag per severity (config.alerts.thresholds names), and when a follow-up raised the level to it;
# a level an office named otherwise reads "Mức <name>".
SUBJECT_TAGS = {"khẩn cấp": "KHẨN CẤP", "cao": "Mức cao", "theo dõi": "Cần theo dõi"}
RAISED_TAGS = {"khẩn cấp": "Tăng lên KHẨN CẤP", "cao": "Tăng lên mức cao", "theo dõi": "Tăng lên mức cần theo dõi"}
UPDATE_TAG = "Cập nhật"


def alert_subject(config: Config, severity: str, title: str, *, local: bool, kind: str = "new",
                  raised: bool = False) -> str:
    """"[KHẨN CẤP – Long Biên] title" for a story in the office's area, "[Mức cao] title", "[Cần theo dõi] title";
    a follow-up says so: "[Tăng lên KHẨN CẤP – Long Biên] ..." when the level rose, "[Cập nhật – Mức cao] ..."
    otherwise (a local story that reached the national press)."""
    tag = SUBJECT_TAGS.get(severity, f"Mức {severity}")
    if kind != "new":
        tag = RAISED_TAGS.get(severity, f"Tăng lên mức {severity}") if raised else f"{UPDATE_TAG} – {tag}"
    area = config.office.district.strip()
    return f"[{tag}{f' – {area}' if local and area else ''}] {title}"


def alert_summary(members: Sequence[dict], tz=None) -> str:
    """One or two sentences saying what happened, as the clipping summarises an article (its sapo's sentences
    that best cover the title): from the first article that has them, an outlet's own before a reprint. Its
    "tối nay" is dated ("tối 26/11"): an alert held by quiet hours is read the next morning."""
    from monitor.summary import dated_summary

    for m in sorted(members, key=lambda m: bool(m.get("reprint"))):
        when = m.get("when")
        text = dated_summary(m.get("title", ""), m.get("sapo", "") or "", m.get("body", "") or "",
                             when.astimezone(tz) if when and tz else when)
        if text:
            return text
    return ""


def case_line(case) -> str:
    """The alert's last line: "Hồ sơ xử lý số 7 – trạng thái: chưa tiếp nhận xử lý" (and who handles it, once someone
    does), the status named as the clipping and the reports name it: leadership reads all three."""
    return f"Hồ sơ xử lý số {case.id} – trạng thái: {status_word(case.status)}" + (f"; phụ trách: {case.owner}" if case.owner else "")


def analyst_commands(case_id: int, status: str, related_ids: Sequence[int]) -> list[str]:
    """What the clerk who keeps the cases runs next for an alert's case: shown by `monitor alerts`, never in the
    alert itself (no channel is the clerk's own: e-mail and Telegram go to leadership)."""
    out = []
    if status == "mới":
        out.append(f'ghi nhận tiếp nhận: monitor cases update {case_id} --status "đã tiếp nhận" --owner "Tên"')
    for other in related_ids[:1]:
        if other < case_id:  # a follow-up joins its incident's (older) case, never the other way round
            out.append(f"nếu cùng một vụ việc: monitor cases merge {case_id} --into {other}")
    return out




def compose_alert(config: Config, story_id: int, score, members: list[dict], decision, case,
                  related: Sequence = ()) -> tuple[str, str, dict]:
    """(subject, plain-text body, webhook payload) of an alert, in Vietnamese, for leadership: what happened in a
    sentence or two, how serious and why, the sources, and the case; no command lines (`monitor alerts` shows the
    clerk's). The subject carries the title: Telegram sends subject and body, so the body does not repeat it.
    `related`: open cases this story may continue (monitor.triage.related_cases), named so a development is not
    read as a new incident."""
    from monitor.digest import display_reasons

    tz = config.office.tz
    # what it tells first: the story's first article judged hot (StoryScore.lead_id), the rest in their order
    origin = members[0]
    first = next((m for m in members if m["id"] == score.lead_id), origin)
    members = [first, *(m for m in members if m is not first)]
    title = first["title"].strip() or first["url"]
    subject = alert_subject(config, score.severity, title, local=score.local, kind=decision.kind, raised=decision.raised)
    reprints = sum(1 for m in members if m.get("reprint"))
    answers = set(getattr(score, "responses", ()))  # not counted in its level (monitor.responses)
    summary = alert_summary(members, tz)
    lines = [f"{config.office.short_name} — cảnh báo tin nóng" + (" (cập nhật)" if decision.kind != "new" else ""), ""]
    if summary:
        lines += [summary, ""]
    lines.append(f"Mức độ nóng: {score.severity} ({score_text(score.total)}/100)")  # one name, as the clipping and report
    if decision.why:
        lines.append(f"Thay đổi: {decision.why}")
    lines += [
        # "first published" is the story's first article's, even when what it tells joined it later
        f"Đăng đầu tiên: {_local(origin['when'], tz)} trên {origin['outlet']}" if first is origin else
        f"Đăng lúc: {_local(first['when'], tz)} trên {first['outlet']} (bài đầu tiên của tin này: "
        f"{_local(origin['when'], tz)} trên {origin['outlet']})",
        f"Số báo đưa tin: {len(score.outlets)} ({', '.join(score.outlets)})"
        + (f"; {reprints} bài đăng lại" if reprints else "")
        + (f"; không kể {len(answers)} bài {RESPONSE_TAG}" if answers else ""),
    ]
    # what leadership reads: the clipping's wording, without the classifier's scores and evidence, and without the
    # reason that lists the outlets again (the line above names them)
    listed = ", ".join(score.outlets[:6]) if len(score.outlets) > 1 else None
    reasons = [r for r in display_reasons(score.reasons, limit=len(score.reasons), hot_categories=score.hot_categories)
               if not (listed and listed in r)]
    if reasons:
        lines += ["", "Lý do:", *[f"  - {r}" for r in reasons]]
    lines += ["", "Nguồn:"]
    for m in members[:15]:
        tag = (" [đăng lại]" if m.get("reprint") else "") + (f" [{RESPONSE_TAG}]" if m["id"] in answers else "")
        lines.append(f"  - {m['outlet']} ({_local(m['when'], tz)}){tag}: {m['title']}\n    {m['url']}")
    if len(members) > 15:
        lines.append(f"  … và {len(members) - 15} bài khác")
    if related:
        lines += ["", "Có thể là diễn biến tiếp của vụ việc đã có hồ sơ:",
                  *[f"  - hồ sơ số {r.case_id}: {r.title}" for r in related[:3]]]
    if case is not None:
        lines += ["", case_line(case)]
    body = "\n".join(lines) + "\n"
    payload = {
        "type": f"alert.{decision.kind}",
        "story_id": story_id,
        "case_id": case.id if case is not None else None,
        "title": title,
        "summary": summary,
        "severity": score.severity,
        "hot_score": score.total,
        "change": decision.why or None,
        "reasons": list(display_reasons(score.reasons, limit=len(score.reasons), hot_categories=score.hot_categories)),
        "classifier_reasons": list(score.reasons),  # as the classifier and triage wrote them (scores, evidence)
        "explanation": score.explanation(),
        # office time (+07:00), as every time the office reads
        "sources": [{"outlet": m["outlet"], "title": m["title"], "url": m["url"],
                     "published": m["when"].astimezone(tz).isoformat(), "reprint": bool(m.get("reprint")),
                     "response": m["id"] in answers}
                    for m in members],
        "related_cases": [{"case_id": r.case_id, "title": r.title, "similarity": r.similarity} for r in related],
        "text": body,
    }
    return subject, body, payload
