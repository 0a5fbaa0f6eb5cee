"""intake-bot: takes in data-protection requests by email and answers them on time."""

__version__ = "0.1.0"

REQUEST_TYPES: tuple[str, ...] = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
    "unsubscribe",
)
LANGUAGES: tuple[str, ...] = ("nb", "sv", "da", "fi", "en", "de")
