"""The crawling stage: Scrapy spiders and stream consumers that yield ``Mention`` records.

Its sources and scheduling are specified in the crawler issue; nothing is exported yet.
"""
