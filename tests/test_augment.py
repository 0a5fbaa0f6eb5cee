"""augment.buried: requests placed inside not-a-request mail, for training only."""

from __future__ import annotations

from intake_bot.augment import buried
from intake_bot.corpus import Example

HOST_NB = Example(id="nb-h", lang="nb", labels=(), subject="Faktura",
                  text="Hei. Jeg har betalt fakturaen. Kan dere bekrefte at saken er avsluttet?")
HOST_SV = Example(id="sv-h", lang="sv", labels=(), text="Hej. Jag har betalat. Stämmer saldot?")
REQ = Example(id="nb-r", lang="nb", labels=("erasure",), subject="Sletting", text="Slett alle\nopplysninger om meg.")
AUTO = Example(id="nb-a", lang="nb", labels=(), automated=True, text="Jeg er på ferie til mandag.")


def test_every_request_is_buried_in_a_host_of_its_language_at_share_one():
    out = buried([HOST_NB, HOST_SV, REQ, AUTO], share=1.0, seed=7)
    assert len(out) == 1
    ex = out[0]
    assert ex.labels == ("erasure",) and ex.lang == "nb" and ex.id == "nb-r+nb-h"
    assert "Slett alle opplysninger om meg." in ex.text
    assert "Jeg har betalt fakturaen." in ex.text and "Jag har betalat" not in ex.text
    assert ex.subject in {"Faktura", "Sletting"}


def test_share_zero_and_missing_hosts_add_nothing():
    assert buried([HOST_NB, REQ], share=0.0, seed=7) == []
    assert buried([HOST_SV, REQ], share=1.0, seed=7) == []  # no Norwegian host


def test_same_seed_same_examples():
    corpus = [HOST_NB, HOST_SV, REQ] + [
        Example(id=f"nb-r{i}", lang="nb", labels=("access",), text=f"Innsyn nummer {i}.") for i in range(40)
    ]
    a = buried(corpus, share=0.3, seed=1)
    assert a == buried(corpus, share=0.3, seed=1)  # training passes the corpus in a fixed order
    assert 0 < len(a) < 41
    assert [e.id for e in a] != [e.id for e in buried(corpus, share=0.3, seed=2)]
