"""The distributed mode on scrapy-redis: one module per Scrapy slot it fills (``scheduler``,
``queue``, ``stats``, the ``politeness`` and ``robots`` middlewares, the worker's ``spider``),
the key names in ``keys``, every atomic Redis step in ``lua``, the run's shared state in
``run``. Started only by crawler.runtime (coordinator, worker)."""
