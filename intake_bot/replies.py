"""Render the mails the bot writes to requesters from Jinja2 templates (pure).

Templates live in ``templates/<lang>/<name>.{subject,txt,html}.j2``. HTML
templates are autoescaped; text and subject templates are not. Undefined
variables are errors (StrictUndefined), so a template never silently drops a
date or a reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2

from . import LANGUAGES, REQUEST_TYPES
from .errors import UserError
from .resources import shipped

TEMPLATE_NAMES: tuple[str, ...] = (
    "acknowledgement",
    "verification_request",
    "verification_reminder",
    "verified",
    "verification_expired",
    "unsubscribe_confirmation",
    "extension_notice",
    "hold_notice",
    "refusal_notice",
    "completed_notice",
    "not_request_reply",
    "resume_notice",
)
# mails that belong to no case: no [DSR-…] tag in the subject
CASELESS = frozenset({"not_request_reply"})
NEEDS_VERIFICATION = frozenset({"verification_request", "verification_reminder"})
FALLBACK_LANG = "en"
# Languages we recognise but write in a sibling language.
LANG_ALIASES: dict[str, str] = {"nn": "nb", "no": "nb"}


class TemplateMissing(UserError):
    """No template of that name exists, not even in the fallback language."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


# --- dates --------------------------------------------------------------------
_MONTHS: dict[str, tuple[str, ...]] = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
           "oktober", "november", "december"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
}


def _lang(lang: str) -> str:
    lang = (lang or "").lower()
    lang = LANG_ALIASES.get(lang, lang)
    return lang if lang in LANGUAGES else FALLBACK_LANG


def format_date(d: date, lang: str) -> str:
    """A date the way a letter in ``lang`` writes it: nb "31. januar 2026", fi "31.1.2026"."""
    if isinstance(d, datetime):
        d = d.date()
    lang = _lang(lang)
    if lang == "fi":
        return f"{d.day}.{d.month}.{d.year}"
    month = _MONTHS[lang][d.month - 1]
    if lang in ("sv", "en"):
        return f"{d.day} {month} {d.year}"
    return f"{d.day}. {month} {d.year}"


# --- request types in plain words ---------------------------------------------
_TYPE_WORDS: dict[str, dict[str, str]] = {
    "nb": {"access": "innsyn i personopplysninger", "rectification": "retting", "erasure": "sletting",
           "restriction": "begrensning av behandlingen", "objection": "innsigelse mot behandlingen",
           "portability": "dataportabilitet", "unsubscribe": "avmelding fra nyhetsbrev"},
    "sv": {"access": "tillgång till personuppgifter (registerutdrag)", "rectification": "rättelse",
           "erasure": "radering", "restriction": "begränsning av behandlingen",
           "objection": "invändning mot behandlingen", "portability": "dataportabilitet",
           "unsubscribe": "avregistrering från nyhetsbrev"},
    "da": {"access": "indsigt i personoplysninger", "rectification": "berigtigelse", "erasure": "sletning",
           "restriction": "begrænsning af behandlingen", "objection": "indsigelse mod behandlingen",
           "portability": "dataportabilitet", "unsubscribe": "afmelding af nyhedsbreve"},
    "fi": {"access": "omien tietojen tarkastaminen", "rectification": "tietojen oikaiseminen",
           "erasure": "tietojen poistaminen", "restriction": "käsittelyn rajoittaminen",
           "objection": "käsittelyn vastustaminen", "portability": "tietojen siirtäminen järjestelmästä toiseen",
           "unsubscribe": "uutiskirjeen tilauksen peruminen"},
    "en": {"access": "access to personal data", "rectification": "rectification", "erasure": "erasure",
           "restriction": "restriction of processing", "objection": "objection to processing",
           "portability": "data portability", "unsubscribe": "unsubscribing from newsletters"},
    "de": {"access": "Auskunft über personenbezogene Daten", "rectification": "Berichtigung",
           "erasure": "Löschung", "restriction": "Einschränkung der Verarbeitung",
           "objection": "Widerspruch gegen die Verarbeitung", "portability": "Datenübertragbarkeit",
           "unsubscribe": "Abmeldung vom Newsletter"},
}
_AND = {"nb": "og", "sv": "och", "da": "og", "fi": "ja", "en": "and", "de": "und"}
# When no type is known yet (staff will decide), the mails still read naturally.
_NO_TYPE = {"nb": "personvernrettighetene dine", "sv": "dina rättigheter enligt dataskyddsförordningen",
            "da": "dine rettigheder efter databeskyttelsesreglerne", "fi": "tietosuojaoikeutesi",
            "en": "your data protection rights", "de": "Ihre Datenschutzrechte"}


def type_names(types: Sequence[str], lang: str) -> str:
    """Request type keys in plain words, joined the way ``lang`` joins a list: "innsyn og sletting"."""
    lang = _lang(lang)
    unknown = [t for t in types if t not in REQUEST_TYPES]
    if unknown:
        raise UserError(f"unknown request type(s): {', '.join(sorted(set(unknown)))}")
    ordered = [t for t in REQUEST_TYPES if t in set(types)]
    words = [_TYPE_WORDS[lang][t] for t in ordered]
    if not words:
        return _NO_TYPE[lang]
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {_AND[lang]} {words[-1]}"


# --- environment --------------------------------------------------------------
def default_templates_dir() -> Path:
    """``<repo>/templates`` in a checkout; ``<prefix>/share/intake-bot/templates`` from a wheel."""
    found = shipped("templates")
    if (found / FALLBACK_LANG).is_dir():
        return found
    raise TemplateMissing(f"no templates directory at {found}")


def make_env(templates_dir: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir or default_templates_dir())),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default=False,
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_local"] = format_date
    env.filters["type_names"] = type_names
    return env


def _has(env: jinja2.Environment, path: str) -> bool:
    try:
        env.get_template(path)
    except jinja2.TemplateNotFound:
        return False
    return True


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, Mapping):
        return dict(obj)
    return {k: getattr(obj, k) for k in dir(obj) if not k.startswith("_") and not callable(getattr(obj, k))}


def render(env: jinja2.Environment, name: str, lang: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render subject, text and HTML of template ``name`` in ``lang`` (or English when missing)."""
    if name not in TEMPLATE_NAMES:
        raise TemplateMissing(f"unknown template {name!r}")
    use = LANG_ALIASES.get((lang or "").lower(), (lang or "").lower())
    if not _has(env, f"{use}/{name}.subject.j2"):
        use = FALLBACK_LANG
        if not _has(env, f"{use}/{name}.subject.j2"):
            raise TemplateMissing(f"no template {name!r} in {lang!r} or {FALLBACK_LANG!r}")
    ctx: dict[str, Any] = {"verification": None, "reasons": None, "new_due": None}
    ctx.update(context)
    if name in NEEDS_VERIFICATION and not ctx["verification"]:
        raise UserError(f"template {name!r} needs a verification code")
    case = _as_dict(ctx.get("case"))
    case["types_text"] = type_names(case.get("request_types") or (), use)
    ctx["case"] = case
    ctx["lang"] = use
    subject = env.get_template(f"{use}/{name}.subject.j2").render(ctx)
    text = env.get_template(f"{use}/{name}.txt.j2").render(ctx)
    html = env.get_template(f"{use}/{name}.html.j2").render(ctx)
    return RenderedMail(subject=" ".join(subject.split()), text=text, html=html)
