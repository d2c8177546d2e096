"""What went wrong with a page, in the words of the people who read the summary and alerts.

Scrapy and Twisted name failures by exception class (``DNSLookupError``,
``TCPTimedOutError``, ``ResponseNeverReceived``); a school office reads 超时, 连接被拒绝,
域名无法解析. One table, used for the stored first error of a school and for the alert that
says a school broke.
"""
from __future__ import annotations

import scrapy.exceptions as scrapy_errors
import twisted.internet.error as twisted_errors
from twisted.web.client import ResponseFailed, ResponseNeverReceived  # what Scrapy's HTTP/1.1 client raises

# what a failure means for the person reading, by exception class, checked in this order
# (failure.check: a subclass counts as its parent); Scrapy 2.19's own, then Twisted's
FAILURE_WORDS = (
    (scrapy_errors.DownloadConnectionRefusedError, "连接被拒绝"),
    (scrapy_errors.CannotResolveHostError, "域名无法解析"),
    (scrapy_errors.ResponseDataLossError, "回应不完整（连接中断）"),
    (scrapy_errors.UnsupportedURLSchemeError, "网址格式不支持"),
    (scrapy_errors.DownloadTimeoutError, "超时"),
    (twisted_errors.TCPTimedOutError, "超时"),
    (twisted_errors.TimeoutError, "超时"),
    (twisted_errors.ConnectionRefusedError, "连接被拒绝"),
    (twisted_errors.DNSLookupError, "域名无法解析"),
    (twisted_errors.NoRouteError, "网络不通"),
    (twisted_errors.SSLError, "加密连接（证书）出错"),
    (twisted_errors.ConnectError, "无法连接"),
    (twisted_errors.ConnectionLost, "连接中断"),
    (twisted_errors.ConnectionDone, "连接中断"),
    (ResponseNeverReceived, "连接中断，没有回应"),
    (ResponseFailed, "连接中断，回应不完整"),
    (scrapy_errors.DownloadFailedError, "下载失败"),
)
PAGE_WORDS = {"list": "列表页", "article": "文章", "home": "首页"}


def page_word(kind: str) -> str:
    return PAGE_WORDS.get(kind, "网页")


def describe(kind: str, failure, url: str) -> str:
    """``列表页超时: URL`` for a Twisted ``failure``; an unknown one keeps its class name so it
    can be looked up."""
    words = next((words for kinds, words in FAILURE_WORDS if failure.check(kinds)),
                 f"下载失败（{failure.type.__name__}）")
    return f"{page_word(kind)}{words}: {url}"


def http_status(kind: str, status: int, url: str) -> str:
    return f"{page_word(kind)}返回 HTTP {status}: {url}"
