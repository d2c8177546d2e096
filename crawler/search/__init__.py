"""Words and stories: jieba segmentation, keywords, topics and search queries (``tagging``); MinHash reposts (``dedupe``)."""
