"""Data-protection supervisory authorities: who a requester can complain to (pure data).

Contact data is the authorities' own published contact data as of 2025. Postal
addresses are the ones the authorities give for letters (a PO box where they
have one). Germany has one authority per Land for the private sector; the
federal BfDI is not competent for a private debt collector, so it is not listed.

``authority_for`` picks the authority a reply names; ``is_authority_address``
tells the mail loop that a message comes from a supervisory authority, which
raises a staff alert instead of an auto-reply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Authority:
    key: str                      # "NO", "SE", "DK", "FI", "DE-BY", ..., "EU"
    name: str
    website: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None    # postal address, lines separated by ", "
    note: str | None = None       # extra sentence for the reply, in the reply's language


# --- national authorities ----------------------------------------------------
NATIONAL: dict[str, Authority] = {
    "NO": Authority("NO", "Datatilsynet", "https://www.datatilsynet.no", "postkasse@datatilsynet.no",
                    "+47 22 39 69 00", "Postboks 458 Sentrum, 0105 Oslo, Norge"),
    "SE": Authority("SE", "Integritetsskyddsmyndigheten (IMY)", "https://www.imy.se", "imy@imy.se",
                    "+46 8 657 61 00", "Box 8114, 104 20 Stockholm, Sverige"),
    "DK": Authority("DK", "Datatilsynet", "https://www.datatilsynet.dk", "dt@datatilsynet.dk",
                    "+45 33 19 32 00", "Carl Jacobsens Vej 35, 2500 Valby, Danmark"),
    "FI": Authority("FI", "Tietosuojavaltuutetun toimisto", "https://tietosuoja.fi", "tietosuoja@om.fi",
                    "+358 29 566 6700", "PL 800, 00531 Helsinki, Suomi"),
}

# --- German Land authorities (private sector) --------------------------------
GERMAN_LAENDER: dict[str, Authority] = {
    "BW": Authority("DE-BW", "Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit "
                    "Baden-Württemberg", "https://www.baden-wuerttemberg.datenschutz.de",
                    "poststelle@lfdi.bwl.de", "+49 711 615541-0", "Postfach 10 29 32, 70025 Stuttgart"),
    "BY": Authority("DE-BY", "Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)",
                    "https://www.lda.bayern.de", "poststelle@lda.bayern.de", "+49 981 180093-0",
                    "Promenade 18, 91522 Ansbach"),
    "BE": Authority("DE-BE", "Berliner Beauftragte für Datenschutz und Informationsfreiheit",
                    "https://www.datenschutz-berlin.de", "mailbox@datenschutz-berlin.de", "+49 30 13889-0",
                    "Alt-Moabit 59–61, 10555 Berlin"),
    "BB": Authority("DE-BB", "Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht "
                    "Brandenburg", "https://www.lda.brandenburg.de", "poststelle@lda.brandenburg.de"),
    "HB": Authority("DE-HB", "Landesbeauftragte für Datenschutz und Informationsfreiheit der Freien "
                    "Hansestadt Bremen", "https://www.datenschutz.bremen.de", "office@datenschutz.bremen.de"),
    "HH": Authority("DE-HH", "Hamburgische Beauftragte für Datenschutz und Informationsfreiheit (HmbBfDI)",
                    "https://datenschutz-hamburg.de", "mailbox@datenschutz.hamburg.de", "+49 40 42854-4040",
                    "Ludwig-Erhard-Straße 22, 7. OG, 20459 Hamburg"),
    "HE": Authority("DE-HE", "Hessische Beauftragte für Datenschutz und Informationsfreiheit (HBDI)",
                    "https://datenschutz.hessen.de", "poststelle@datenschutz.hessen.de", "+49 611 1408-0",
                    "Postfach 31 63, 65021 Wiesbaden"),
    "MV": Authority("DE-MV", "Landesbeauftragte für Datenschutz und Informationsfreiheit "
                    "Mecklenburg-Vorpommern", "https://www.datenschutz-mv.de", "info@datenschutz-mv.de"),
    "NI": Authority("DE-NI", "Landesbeauftragte für den Datenschutz Niedersachsen (LfD Niedersachsen)",
                    "https://www.lfd.niedersachsen.de", "poststelle@lfd.niedersachsen.de", "+49 511 120-4500",
                    "Prinzenstraße 5, 30159 Hannover"),
    "NW": Authority("DE-NW", "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen "
                    "(LDI NRW)", "https://www.ldi.nrw.de", "poststelle@ldi.nrw.de", "+49 211 38424-0",
                    "Postfach 20 04 44, 40102 Düsseldorf"),
    "RP": Authority("DE-RP", "Landesbeauftragte für den Datenschutz und die Informationsfreiheit "
                    "Rheinland-Pfalz", "https://www.datenschutz.rlp.de", "poststelle@datenschutz.rlp.de"),
    "SL": Authority("DE-SL", "Unabhängiges Datenschutzzentrum Saarland", "https://www.datenschutz.saarland.de",
                    "poststelle@datenschutz.saarland.de"),
    "SN": Authority("DE-SN", "Sächsische Datenschutz- und Transparenzbeauftragte",
                    "https://www.datenschutz.sachsen.de"),
    "ST": Authority("DE-ST", "Landesbeauftragte für den Datenschutz Sachsen-Anhalt",
                    "https://datenschutz.sachsen-anhalt.de", "poststelle@lfd.sachsen-anhalt.de"),
    "SH": Authority("DE-SH", "Unabhängiges Landeszentrum für Datenschutz Schleswig-Holstein (ULD)",
                    "https://www.datenschutzzentrum.de", "mail@datenschutzzentrum.de"),
    "TH": Authority("DE-TH", "Thüringer Landesbeauftragte für den Datenschutz und die Informationsfreiheit "
                    "(TLfDI)", "https://www.tlfdi.de", "poststelle@datenschutz.thueringen.de"),
}

# Germany without a known Land: the Datenschutzkonferenz lists every Land authority.
GERMANY_GENERIC = Authority(
    "DE", "Datenschutz-Aufsichtsbehörde des Bundeslandes (Übersicht der Datenschutzkonferenz)",
    "https://www.datenschutzkonferenz-online.de/datenschutzaufsichtsbehoerden.html")

# Anything else: the EDPB's list of every national authority in the EEA.
GENERIC = Authority("EU", "European Data Protection Board: list of national data protection authorities",
                    "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en")

LANG_COUNTRY: dict[str, str] = {"nb": "NO", "nn": "NO", "no": "NO", "sv": "SE", "da": "DK", "fi": "FI"}

# Said in German when a German-language reply names a non-German authority.
_DE_FOREIGN_NOTE = ("Diese Behörde ist für uns zuständig, weil wir unseren Sitz in diesem Land haben.")


def _country_authority(country: str | None, subdivision: str | None) -> Authority:
    country = (country or "").upper()
    if country == "DE":
        return GERMAN_LAENDER.get((subdivision or "").upper().removeprefix("DE-"), GERMANY_GENERIC)
    return NATIONAL.get(country, GENERIC)


def authority_for(lang: str, org_country: str, subdivision: str | None) -> Authority:
    """The authority a reply in ``lang`` names for an organisation in ``org_country``.

    Nordic languages name that country's authority; German names the Land of the
    organisation when it is in Germany, else the organisation's own authority with a
    note; English (and anything unknown) names the organisation's country.
    """
    lang = (lang or "").lower()
    if lang in LANG_COUNTRY:
        return NATIONAL[LANG_COUNTRY[lang]]
    if lang == "de":
        found = _country_authority(org_country, subdivision)
        if (org_country or "").upper() == "DE":
            return found
        return replace(found, note=_DE_FOREIGN_NOTE)
    return _country_authority(org_country, subdivision)


# --- recognising mail from an authority ---------------------------------------
AUTHORITY_DOMAINS: frozenset[str] = frozenset({
    # Nordic authorities
    "datatilsynet.no", "imy.se", "datatilsynet.dk", "tietosuoja.fi",
    "om.fi",  # the Finnish ombudsman's staff and registry write from the Ministry of Justice domain
    # German Land authorities
    "lfdi.bwl.de", "baden-wuerttemberg.datenschutz.de", "lda.bayern.de", "datenschutz-bayern.de",
    "datenschutz-berlin.de", "lda.brandenburg.de", "datenschutz.bremen.de", "datenschutz.hamburg.de",
    "datenschutz-hamburg.de", "datenschutz.hessen.de", "datenschutz-mv.de", "lfd.niedersachsen.de",
    "ldi.nrw.de", "datenschutz.rlp.de", "datenschutz.saarland.de", "datenschutz.sachsen.de",
    "datenschutz.sachsen-anhalt.de", "lfd.sachsen-anhalt.de", "datenschutzzentrum.de",
    "tlfdi.de", "datenschutz.thueringen.de", "bfdi.bund.de",
    # European and UK
    "edpb.europa.eu", "edps.europa.eu", "ico.org.uk",
})


def _domain_of(addr: str) -> str:
    addr = (addr or "").strip()
    if "<" in addr and ">" in addr:
        addr = addr[addr.rindex("<") + 1: addr.rindex(">")]
    if "@" not in addr:
        return ""
    return addr.rsplit("@", 1)[1].strip().strip(">").rstrip(".").lower()


def is_authority_address(addr: str) -> bool:
    """True when ``addr`` (bare or "Name <a@b>") is at an authority's domain or a subdomain of one."""
    domain = _domain_of(addr)
    if not domain:
        return False
    labels = domain.split(".")
    return any(".".join(labels[i:]) in AUTHORITY_DOMAINS for i in range(len(labels) - 1))
