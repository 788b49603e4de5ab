"""Template fingerprints: boilerplate found with the site's own name and digits masked, and shared across
look-alike sites."""

from __future__ import annotations

from unspun.sites.templates import Sample, fingerprint, masked, shared_lines


def article(site_title: str, n: int) -> Sample:
    head = f"Breaking from {site_title} desk\nStory number {n} opens here with news."
    tail = f"More text of story {n}.\nRead more at {site_title} - your trusted source since 2019"
    return Sample(head, tail, chars=1200 + n, paragraphs=6)


def test_templates_mask_the_site_and_digits() -> None:
    assert masked("Read more at Daily-Herald.com - since 2019", "daily-herald.com") == "read more at <site> - since #"
    assert masked("Read more at Daily Herald - since 2019", "www.daily-herald.com") == "read more at <site> - since #"


def test_templates_find_boilerplate_shared_by_look_alike_sites() -> None:
    a = fingerprint("valdoria-herald.com", [article("Valdoria Herald", n) for n in range(10)])
    b = fingerprint("koros-times.net", [article("Koros Times", n) for n in range(8)])
    lone = fingerprint("other.org", [Sample(f"Line {n} of a different kind of text here", "An ending that varies "
                                            f"with {'abcdefghij'[n]} letters", 900, 4) for n in range(10)])
    assert ("read more at <site> - your trusted source since #", 10) in a.boilerplate
    assert "read more at <site> - your trusted source since #" in shared_lines(a, b)
    assert shared_lines(a, lone) == [] and a.median_paragraphs == 6 and a.sampled == 10
    assert fingerprint("x.org", []).boilerplate == []
