from .notifications import (  # noqa: F401
    KIND_CATEGORIES,
    Delivery,
    DeliveryAttempt,
    DigestRun,
    EstateMute,
    GroupMessage,
    Notification,
    NotificationPreference,
    RobotWebhook,
    SmsTemplate,
    WeChatBinding,
    WeChatBindTicket,
    WeChatTemplate,
    kind_category,
)
from .otp import SmsChallenge  # noqa: F401
from .registry import (  # noqa: F401
    ALL_ESTATES_ROLES,
    STAFF_ROLES,
    AuditEntry,
    Committee,
    CommitteeMember,
    Company,
    Department,
    Estate,
    Role,
    StaffAssignment,
    User,
    audit,
    mobile_validator,
)
from .terms import TermEvent, TermReminder  # noqa: F401
