"""What went wrong with a page, in the words of the people who read the summary and alerts.

Scrapy and Twisted name failures by exception class (``DNSLookupError``,
``TCPTimedOutError``, ``ResponseNeverReceived``); a school office reads 超时, 连接被拒绝,
域名无法解析. One table, used for the stored first error of a school and for the alert that
says a school broke.
"""
from __future__ import annotations

# exception class name -> what it means for the person reading (Scrapy 2.19's own, then Twisted's)
FAILURE_WORDS = {
    "DownloadConnectionRefusedError": "连接被拒绝",
    "CannotResolveHostError": "域名无法解析",
    "ResponseDataLossError": "回应不完整（连接中断）",
    "UnsupportedURLSchemeError": "网址格式不支持",
    "TimeoutError": "超时",
    "TCPTimedOutError": "超时",
    "DownloadTimeoutError": "超时",
    "UserTimeoutError": "超时",
    "ConnectionRefusedError": "连接被拒绝",
    "DNSLookupError": "域名无法解析",
    "NoRouteError": "网络不通",
    "ConnectError": "无法连接",
    "ConnectionLost": "连接中断",
    "ConnectionDone": "连接中断",
    "ResponseFailed": "连接中断，回应不完整",
    "ResponseNeverReceived": "连接中断，没有回应",
    "DownloadFailedError": "下载失败",
    "SSLError": "加密连接（证书）出错",
    "Error": "下载出错",
}
PAGE_WORDS = {"list": "列表页", "article": "文章", "home": "首页"}


def page_word(kind: str) -> str:
    return PAGE_WORDS.get(kind, "网页")


def describe(kind: str, failure_name: str, url: str) -> str:
    """``列表页超时: URL``; an unknown failure keeps its class name so it can be looked up."""
    words = FAILURE_WORDS.get(failure_name) or f"下载失败（{failure_name}）"
    return f"{page_word(kind)}{words}: {url}"


def http_status(kind: str, status: int, url: str) -> str:
    return f"{page_word(kind)}返回 HTTP {status}: {url}"
