from .notifications import Delivery, Notification  # noqa: F401
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
