SCHEDULE = {
    # the outbox is also delivered right after each commit; this catches up after a broker outage
    "deliver-notifications": {"task": "liaison.tasks.deliver_pending", "schedule": 60.0},
}
