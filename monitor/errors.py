"""One error tree for the whole monitor.

Third-party exceptions (httpx, sqlite3, yaml, feedparser, smtplib, joblib) are translated into these at
the module that talks to that library; everything above sees only this tree, and only the CLI turns it
into a message and an exit code.

    MonitorError                      anything the monitor reports on purpose
    ├── ConfigError                   feeds.yaml is unreadable or invalid (carries every problem found)
    ├── InputError                    a command-line argument or an input file is wrong
    ├── FetchError                    a URL could not be fetched
    │   ├── AddressRefused            scheme or address not allowed (private network, file:, ...)
    │   ├── CertificateRefused        a TLS certificate that does not verify (unknown issuer, expired, another name)
    │   ├── RobotsDisallowed          robots.txt forbids the page
    │   ├── ResponseTooLarge          body over the configured limit (on the wire or once decompressed)
    │   ├── BadContentEncoding        a Content-Encoding we did not ask for (br, stacked gzip,gzip...), or undecodable
    │   ├── TooManyRedirects
    │   ├── FetchTimeout
    │   ├── HTTPStatusError           a 4xx/5xx answer that retries did not cure
    │   └── RequestInDoubt            a POST was sent whole but its answer never came: it may have been acted on
    ├── FeedError                     bytes that are not a usable feed
    │   └── NotAFeed                  HTML (e.g. an anti-bot page) where XML was expected
    ├── ExtractError                  an article page yielded no usable text
    │   └── PageTooComplex            a page with more elements than is worth parsing: not read, nor retried
    ├── StoreError                    the database cannot be opened, migrated or written
    │   └── AlreadyRunning            another process holds the instance lock
    ├── ModelError                    a trained model is missing, corrupt or from other library versions
    └── NotifyError                   an alert or digest could not be delivered on a channel
        └── MessageInDoubt            the server took the message but never confirmed it: it may have gone

Exit codes (documented in the README): 0 ok, 1 the command ran but something failed (some articles,
some deliveries), 2 bad configuration or input, 3 a needed resource is missing or locked (model,
database, instance lock), 4 an unexpected internal error, 141 the output's reader went away (closed pipe).

Wording (the clerk and the analyst read these; monitor.cli prints them):
- the CLI prints "Lỗi: <message>" on standard error, then, when there is a hint, "  Cách sửa: <hint>" on the next
  line; an unexpected error is "Lỗi nội bộ: <type>: <message>" (with --debug for the traceback);
- messages and hints are Vietnamese with diacritics, one sentence naming the thing (the option as typed, the
  file, the id, the value in quotes) and what is wrong; the hint says what to do, as a command when there is one;
- kept verbatim, untranslated: option names (--since), command names (`monitor cases show 12`), file and folder
  names, config key paths (storage.rules_file), URLs, ids, statuses and values as stored or typed ('đang xử lý',
  'in-doubt'), and the text of a third-party library or the operating system quoted after a colon;
- ConfigError's header is Vietnamese ("feeds.yaml: cấu hình có 2 lỗi:"), and so is each problem after it, which starts
  with its key path as written in the file ("sources[3].url: phải là URL http(s), ...");
- delivery errors (monitor.notify, monitor.mail) are Vietnamese around what they quote: the server's answer
  ("535 5.7.8 ..."), and for a webhook or Telegram the FetchError detail after the colon;
- the office edits its topic rules (topics.yaml, storage.rules_file) itself, so a rules file's problems are
  Vietnamese like ConfigError's ("tệp quy tắc rules-cua-phong.yaml có 2 lỗi:", each problem starting with its key
  path: "topics[3].terms: ..."), and so is everything `monitor rules test` prints, its notes, its progress and the
  rules note (the rules edited since the models were trained; `monitor classify` and `evaluate` quote it as it is);
  its labels are named as `monitor explain` names them ("Giáo dục", "Nóng", "Chủ đề tuyen-sinh (…)"), topic ids,
  versions ("rules-only+rules.…") and titles as stored;
- `monitor serve`'s console (its log lines and each job's one-line summary) and the summaries `monitor status` shows
  (job_runs) are Vietnamese too, counts in words ("thu thập 12 nguồn: 40 bài mới; phân loại 40 bài (5 về giáo dục, 1
  nóng) bằng edu-nlp…; gom 5 bài vào sự việc (3 sự việc mới, 2 bài vào sự việc đã có), mở 1 hồ sơ, 1 cảnh báo chờ
  gửi"), a count of none left out; job names (crawl:30m, digest), outcomes as stored ('ok', 'error'), versions and
  paths verbatim; a failed job's summary starts with the error's class name ("CrawlNotFresh: …"), for the log search;
- a failure to fetch or read a feed or a page (FetchError, FeedError) is said in Vietnamese first, what it means and
  what to do, from the one table FETCH_REASONS below ("hết thời gian chờ phản hồi sau 20 giây: ..."), and the
  library's or the system's own words, with the URL, last in parentheses ("(http://…/rss: ReadTimeout)"): the clerk
  reads the first part in `monitor crawl`, `monitor status` and the service log, whoever looks after the machine
  searches the log for the second; the crawl stores both, after the class name, with the source's or page's failure;
- what is read by whoever installs and looks after the machine rather than by the office (the rarer FetchError,
  FeedError and ExtractError details not in FETCH_REASONS, shown by `monitor status` as "chi tiết kỹ thuật";
  training and evaluation of models: `monitor train`, `evaluate`, `classify`) may stay English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR_PREFIX = "Lỗi: "
HINT_PREFIX = "  Cách sửa: "
INTERNAL_PREFIX = "Lỗi nội bộ: "


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""

    exit_code = 1
    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


@dataclass(frozen=True)
class ConfigProblem:
    path: str  # where in the file, e.g. "sources[3].url"
    message: str  # what is wrong and what to write instead

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(MonitorError):
    exit_code = 2

    def __init__(self, file: str, problems: list[ConfigProblem] | list[str]) -> None:
        self.file = file
        self.problems = [p if isinstance(p, ConfigProblem) else ConfigProblem("", str(p)) for p in problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{file}: cấu hình có {len(self.problems)} lỗi:\n{lines}")


class InputError(MonitorError):
    exit_code = 2


class FetchError(MonitorError):
    def __init__(self, message: str, *, url: str = "", status: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status


class AddressRefused(FetchError):
    pass


class CertificateRefused(FetchError):
    """A site's (or an https proxy's) TLS certificate did not verify. Most often in an office whose network
    inspects TLS, presenting certificates signed by the office's own root: crawler.ca_file trusts that root.
    Not retried at once: the same certificate would be refused again (monitor.fetch)."""


class RobotsDisallowed(FetchError):
    pass


class ResponseTooLarge(FetchError):
    pass


class BadContentEncoding(FetchError):
    """The body is compressed in a way we did not ask for (only gzip or deflate, once), or does not
    decompress: refused, as a bad answer from the site (monitor.fetch)."""


class TooManyRedirects(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class HTTPStatusError(FetchError):
    pass


class RequestInDoubt(FetchError):
    """The whole request reached the server, whose answer never came (a read timeout, a dropped
    connection): the server may have acted on it, so a retry could be a second copy (monitor.fetch.post_json)."""


# What each common failure to fetch or read a feed or page means, and what the office can do about it. One table,
# so that every place that raises one (monitor.fetch, monitor.feeds) says it alike: an office clerk cannot act on
# "ConnectError: [Errno 111] Connection refused", which is kept after it, in parentheses, for whoever looks after
# the machine. {status}, {seconds}, {host}, {ca_file}, {limit}: filled in by fetch_reason().
FETCH_REASONS = {
    "refused": "không kết nối được tới máy chủ (máy chủ từ chối kết nối): kiểm tra địa chỉ nguồn hoặc thử lại sau",
    "unreachable": "không kết nối được tới máy chủ (mạng không tới được máy chủ): kiểm tra kết nối mạng của máy "
                   "hoặc thử lại sau",
    "dropped": "máy chủ ngắt kết nối khi chưa trả lời xong: thường tự hết, hệ thống sẽ thử lại sau",
    "connect": "không kết nối được tới máy chủ: kiểm tra địa chỉ nguồn và kết nối mạng của máy, hoặc thử lại sau",
    "dns": "không tìm thấy tên miền {host}: kiểm tra địa chỉ nguồn trong feeds.yaml và kết nối mạng của máy",
    "timeout": "hết thời gian chờ phản hồi sau {seconds} giây (máy chủ quá chậm hoặc không trả lời): hệ thống sẽ "
               "thử lại sau",
    "http-5xx": "trang trả về lỗi {status} (máy chủ tạm quá tải hoặc bảo trì): hệ thống sẽ thử lại sau",
    "http-429": "trang trả về lỗi 429 (máy chủ đề nghị gửi yêu cầu thưa hơn): hệ thống sẽ thử lại sau",
    "http-404": "trang trả về lỗi {status} (không có trang ở địa chỉ này): kiểm tra địa chỉ nguồn, báo có thể đã "
                "đổi địa chỉ",
    "http-403": "trang trả về lỗi {status} (máy chủ từ chối, có thể chặn truy cập tự động): mở địa chỉ bằng "
                "trình duyệt để xem, hoặc liên hệ báo",
    "http": "trang trả về lỗi {status}: kiểm tra địa chỉ nguồn hoặc thử lại sau",
    "certificate": "chứng chỉ bảo mật của {host} không hợp lệ: nếu mạng của cơ quan kiểm tra kết nối bảo mật (máy chủ "
                   "trung gian hoặc tường lửa cấp chứng chỉ riêng), khai báo chứng chỉ gốc của cơ quan (tệp PEM) ở "
                   "crawler.ca_file",
    "certificate-ca-file": "chứng chỉ bảo mật của {host} không hợp lệ: đã tin thêm chứng chỉ gốc ở crawler.ca_file "
                           "({ca_file}); nếu mạng của cơ quan kiểm tra kết nối bảo mật, kiểm tra tệp đó có đúng chứng "
                           "chỉ gốc ký các chứng chỉ mạng ấy cấp không",
    "malformed": "nội dung không phải RSS/Atom hợp lệ (XML hỏng, không đọc được tin nào): kiểm tra địa chỉ nguồn; "
                 "nếu đúng địa chỉ, lỗi ở phía báo",
    "not-a-feed": "nội dung không phải RSS/Atom hợp lệ: kiểm tra địa chỉ nguồn",
    "html": "báo trả về trang web thay cho RSS/Atom (có thể là trang chống truy cập tự động hoặc trang báo lỗi): "
            "mở địa chỉ nguồn bằng trình duyệt để xem",
    "empty": "máy chủ trả về nội dung rỗng thay cho RSS/Atom: hệ thống sẽ thử lại sau",
    "private-address": "địa chỉ của {host} nằm trong mạng nội bộ hoặc không phải địa chỉ Internet công cộng ({addresses}): "
                       "bị từ chối vì crawler.allow_private_addresses là false trong feeds.yaml (giữ trình thu thập, và "
                       "các liên kết một nguồn tin đưa ra, ngoài mạng của cơ quan); nếu nguồn tin đúng là ở mạng nội bộ "
                       "hoặc trên máy này, đặt crawler.allow_private_addresses: true",
    "robots-unreachable": "chưa lấy trang này vì không đọc được robots.txt (quy định thu thập tự động) của {host}: "
                          "hoãn lại, hệ thống sẽ thử lại sau",
    "retry-after": "báo đề nghị tạm ngừng gửi yêu cầu tới {host} thêm {seconds} giây (Retry-After): hoãn lại, hệ thống "
                   "sẽ thử lại sau",
    "redirects": "địa chỉ nguồn chuyển hướng vòng quanh hoặc qua quá nhiều bước: mở địa chỉ bằng trình duyệt để xem "
                 "địa chỉ cuối cùng và sửa địa chỉ nguồn trong feeds.yaml",
    "too-large": "báo trả về dữ liệu lớn hơn giới hạn {limit} byte (crawler.max_body_bytes), đã bỏ qua: kiểm tra địa "
                 "chỉ nguồn; nếu đúng địa chỉ, tăng giới hạn đó",
    "encoding": "báo trả về dữ liệu nén theo cách không đọc được: thường là lỗi ở phía báo, hệ thống sẽ thử lại sau",
    "proxy-auth": "máy chủ trung gian (proxy) của cơ quan đòi tên đăng nhập và mật khẩu: khai báo ở "
                  "crawler.proxy_username_env và crawler.proxy_password_env rồi kiểm tra giá trị của chúng",
    "proxy": "không kết nối được qua máy chủ trung gian (proxy) của cơ quan: kiểm tra proxy còn hoạt động và "
             "crawler.proxy trong feeds.yaml, hoặc thử lại sau",
    "proxy-refused": "máy chủ trung gian (proxy) của cơ quan từ chối kết nối tới trang này (lỗi {status}): hỏi cán "
                     "bộ quản trị mạng xem proxy có chặn trang không",
}


def http_status_kind(status: int | None) -> str:
    """The FETCH_REASONS key of an HTTP error status."""
    if status == 429:
        return "http-429"
    if status in (404, 410):
        return "http-404"
    if status in (401, 403, 451):
        return "http-403"
    if status is not None and status >= 500:
        return "http-5xx"
    return "http"


def fetch_reason(kind: str, detail: str = "", **params: object) -> str:
    """FETCH_REASONS[kind] filled in, the technical detail (the URL, the library's words) after it in parentheses."""
    text = FETCH_REASONS[kind].format(**params)
    return f"{text} ({detail})" if detail else text


def _reason_pattern(template: str) -> str:
    parts = re.split(r"\{\w+\}", template)
    return ".+?".join(re.escape(p) for p in parts)


# a stored error, "<class>: <reason> (<detail>)", back into its parts; the longest reasons first, so that one that
# begins like another ("certificate", "certificate-ca-file") is not taken for it
_STORED_REASON = re.compile(r"(?:(?P<kind>[A-Za-z]+): )?(?P<reason>"
                            + "|".join(_reason_pattern(t) for t in sorted(FETCH_REASONS.values(), key=len, reverse=True))
                            + r")(?: \((?P<detail>.*)\))?", re.S)


def split_fetch_reason(error: str) -> tuple[str, str] | None:
    """(the Vietnamese reason, the technical part: the class name and the library's words) of an error made by
    fetch_reason() as the crawl stores it ("HTTPStatusError: trang trả về lỗi 503 (…): … (HTTP 503 from …)");
    None for any other text (older English errors, a quiet feed's note)."""
    m = _STORED_REASON.fullmatch(error.strip())
    if m is None:
        return None
    technical = ": ".join(x for x in (m["kind"], m["detail"]) if x)
    return m["reason"], technical


class FeedError(MonitorError):
    pass


class NotAFeed(FeedError):
    pass


class ExtractError(MonitorError):
    pass


class PageTooComplex(ExtractError):
    pass


class StoreError(MonitorError):
    exit_code = 3


class AlreadyRunning(StoreError):
    pass


class ModelError(MonitorError):
    exit_code = 3


class NotifyError(MonitorError):
    pass


class MessageInDoubt(NotifyError):
    """The whole message reached the server, whose answer never came: it may have been delivered, so a
    retry could be a second copy (monitor.mail)."""
