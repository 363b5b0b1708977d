"""The SMS backend of `make run` and of the tests: nothing leaves the machine.

`console` prints each message (like Django's console email backend); `locmem` keeps them in `outbox`
(like django.core.mail.outbox) for the tests. Both remember, in this process, which out ids they sent,
so `query_status` answers as a provider would.
"""

import itertools
import sys

from .base import ACCEPTED, NOT_FOUND, SmsProvider, Status

outbox = []  # locmem: [{"phone", "template", "params", "out_id", "message_id", "text"}]
_sent = {}  # out id -> message id, for query_status
_ids = itertools.count(1)


class ConsoleProvider(SmsProvider):
    name = "console"
    stream = None

    def send(self, phone, template_code, params, *, out_id="", text=""):
        message_id = f"console-{next(_ids)}"
        record = {
            "phone": phone,
            "template": template_code,
            "params": list(params),
            "out_id": out_id,
            "message_id": message_id,
            "text": text,
        }
        self.emit(record)
        if out_id:
            _sent[out_id] = message_id
        return message_id

    def emit(self, record):
        stream = self.stream or sys.stdout
        stream.write(
            f"SMS to {record['phone']} [{record['template']}] {record['text'] or dict(record['params'])} "
            f"(out id {record['out_id']}, id {record['message_id']})\n"
        )
        stream.flush()

    def query_status(self, message_id, *, phone, sent_at):
        found = _sent.get(message_id)
        return Status(ACCEPTED, found) if found else Status(NOT_FOUND)


class LocmemProvider(ConsoleProvider):
    name = "locmem"

    def emit(self, record):
        outbox.append(record)


def reset():
    outbox.clear()
    _sent.clear()
