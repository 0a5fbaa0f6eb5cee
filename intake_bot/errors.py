"""One error tree. Every error the bot raises on purpose derives from IntakeBotError.

User errors (bad input, bad config, illegal staff action) and system errors
(mailbox, SMTP, database outages) are separate branches so callers can log them
at different levels and the CLI can turn any of them into one readable line.
"""


class IntakeBotError(Exception):
    """Base class of every error intake-bot raises on purpose."""


# --- user errors: the input or the request is wrong -------------------------
class UserError(IntakeBotError):
    """Something the operator or the input got wrong; retrying will not help."""


class ConfigError(UserError):
    """The configuration file is missing, malformed or inconsistent."""


class ParseError(UserError):
    """A message cannot be turned into something usable (no sender, no text, too big)."""


class IllegalTransition(UserError):
    """A case status change that the lifecycle does not allow."""


class CaseNotFound(UserError):
    """No case has the given reference."""


class DeadlineError(UserError):
    """A deadline operation that the law or the policy does not allow (e.g. late extension)."""


class ModelError(UserError):
    """The trained classifier is missing or does not load."""


# --- system errors: something outside us failed; retrying may help ----------
class SystemFailure(IntakeBotError):
    """An outside system failed. Usually transient: back off and retry."""


class MailboxError(SystemFailure):
    """IMAP or maildir access failed."""


class SendError(SystemFailure):
    """SMTP sending failed."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class StorageError(SystemFailure):
    """The database is locked, unreachable or refused a write."""
