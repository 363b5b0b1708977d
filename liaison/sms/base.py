"""The one SMS provider interface. Each adapter (console, Alibaba Cloud, Tencent Cloud) implements it.

`send(phone, template_code, params, out_id=…)` sends one templated message to one mainland mobile and
returns the provider's message id (Alibaba's BizId, Tencent's SerialNo). `out_id` is the portal's own id
of the message (the delivery's), handed to the provider (Alibaba `OutId`, Tencent `SessionContext`) so
that `query_status(out_id, phone=…, sent_at=…)` can later tell whether that very message left, even when
the worker died before it could store the provider's id (docs/notifications.md, "No lost reminder").
"""

import dataclasses


class SmsError(Exception):
    """The provider refused or could not be reached: worth retrying later (timeouts, throttling, 5xx)."""


class SmsPermanentError(SmsError):
    """Retrying cannot help (a template not approved, a bad number, wrong credentials)."""


# what the provider knows about one message
ACCEPTED = "accepted"  # the provider has it, no delivery report yet
DELIVERED = "delivered"  # delivered to the handset
FAILED = "failed"  # the provider has it and reports that it did not reach the handset
NOT_FOUND = "not_found"  # the provider has no such message: it was never sent
UNKNOWN = "unknown"  # the query itself failed: ask again later

# statuses that mean "the message left": an interrupted send with one of these is not sent again
LEFT = {ACCEPTED, DELIVERED}


@dataclasses.dataclass
class Status:
    state: str
    message_id: str = ""
    detail: str = ""

    @property
    def left(self):
        return self.state in LEFT


class SmsProvider:
    name = "base"

    def __init__(self, *, sign_name="", timeout=5.0, **options):
        self.sign_name = sign_name
        self.timeout = timeout
        self.options = options

    def send(self, phone, template_code, params, *, out_id="", text=""):
        """Send; return the provider's message id. `params`: [(name, value)] in the template's order;
        `text`: the message as the recipient will read it (for logs and the console backend)."""
        raise NotImplementedError

    def query_status(self, message_id, *, phone, sent_at):
        """What the provider knows of the message whose own id (out id) is `message_id`, sent to `phone`
        around `sent_at` (an aware datetime): a Status."""
        raise NotImplementedError
