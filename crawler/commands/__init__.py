"""Scrapy commands of this project (COMMANDS_MODULE): ``scrapy crawl news`` runs a whole refresh."""
