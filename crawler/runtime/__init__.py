"""The only place that starts Scrapy and opens the store for a run: refresh, lock, trial, the nightly loop."""
