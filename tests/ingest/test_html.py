"""HTML pages to Articles: main text without boilerplate, metadata, truncated and empty pages."""

from __future__ import annotations

import pytest

from unspun.errors import EmptyInputError
from unspun.ingest.html import article_from_html, looks_like_html

BOILERPLATE = ("Subscribe", "newsletter", "Copyright", "Cookie", "Privacy", "Sport")


def test_html_article_main_text_and_metadata(article_html: str) -> None:
    article = article_from_html(article_html, "page.html", article_id="page")
    assert article.title == "Harbour bridge to stay shut until spring"
    assert article.published == "2025-03-14"
    assert article.author == "Maria Okafor"
    assert article.site == "The Riverside Courier"
    assert article.id == "page"
    assert "engineers found deep cracks in two of its concrete piers" in article.text
    assert "said Helen Marsh, the council's head of transport" in article.text
    assert "feared for their jobs if the work ran late" in article.text
    for word in BOILERPLATE:
        assert word not in article.text
    assert "<" not in article.text and "\r" not in article.text


def test_html_article_keeps_the_given_url(article_html: str) -> None:
    article = article_from_html(article_html, "page", url="https://courier.example/bridge")
    assert article.url == "https://courier.example/bridge"


@pytest.mark.parametrize(
    "cut_before",
    [
        pytest.param('ass="lede">Shopkeepers', id="mid-tag"),  # ends with '<p cl'
        pytest.param(" trade by a third", id="mid-paragraph"),
        pytest.param("</footer>", id="no-closing-tags"),
    ],
)
def test_html_truncated_page_still_gives_text(article_html: str, cut_before: str) -> None:
    page = article_html.replace("<p>Shopkeepers", '<p class="lede">Shopkeepers')
    truncated = page[: page.index(cut_before)]
    assert "</html>" not in truncated
    article = article_from_html(truncated, "cut.html")
    assert "engineers found deep cracks" in article.text
    assert "said Helen Marsh" in article.text
    assert article.title == "Harbour bridge to stay shut until spring"


@pytest.mark.parametrize(
    "page",
    [
        "<!doctype html><html><head><title>Nothing here</title></head><body><div></div></body></html>",
        "<html><head><script>var x = 1;</script></head><body><img src='a.png'></body></html>",
        "<html><body>   \n  </body></html>",
    ],
)
def test_html_page_without_text_is_empty(page: str) -> None:
    with pytest.raises(EmptyInputError, match=r"^empty\.html: no article text found"):
        article_from_html(page, "empty.html")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><html><body><p>Hi</p></body></html>", True),
        ("  <html lang='en'>", True),
        ("Some words first, then <div class='x'>a block</div>", True),
        ('The minister said "p < q" was not a proof.', False),
        ("Plain text about <b>bold</b> claims.", False),
    ],
)
def test_html_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected
