"""What a run means to people: events, the exactly-once outbox, digests and channels (Apprise), site health, the Atom feed."""
