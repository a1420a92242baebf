"""Brand colour contrast (WCAG 2.x) and the shipped brand's ratios."""

from __future__ import annotations

import pytest

from handouts.content.brand import CONTRAST, contrast, load_brand, luminance
from handouts.errors import BrandError
from handouts.pipeline import PRINTER

from .conftest import BRAND


def test_contrast_of_known_colours():
    assert luminance("#000000") == 0
    assert luminance("#FFFFFF") == pytest.approx(1)
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.478, abs=0.001)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#1F4E79", "#1F4E79") == pytest.approx(1.0)


def test_shipped_brand_passes_with_room():
    colours = load_brand(BRAND, PRINTER).spec.colours
    assert contrast(colours.text, colours.background) >= 7
    assert contrast(colours.text, colours.accent) >= 7
    assert contrast(colours.primary, colours.background) >= 7
    assert contrast("#FFFFFF", colours.primary) >= 7


def test_every_pair_names_real_colours():
    names = {"white", "grey", "primary", "accent", "text", "background"}
    assert all(fore in names and back in names for fore, back, _, _ in CONTRAST)


def test_ratio_is_rounded_down(tmp_path):
    """4.49997:1 is below 4.5:1, so it must not be shown as 4.50:1."""
    text = BRAND.read_text().replace('accent: "#EAF1F8"', 'accent: "#FFFFFF"')
    brand = tmp_path / "brand.yaml"
    brand.write_text(
        text.replace('text: "#1A1A1A"', 'text: "#5C6ED7"').replace("logo: logo.svg\n", "")
    )
    with pytest.raises(BrandError) as caught:
        load_brand(brand, PRINTER)
    assert [p.message for p in caught.value.problems] == [
        "colours.text '#5C6ED7' on colours.background '#FFFFFF' has a contrast ratio of 4.49:1; body text needs at least 4.5:1",
        "colours.text '#5C6ED7' on colours.accent '#FFFFFF' has a contrast ratio of 4.49:1; body text in boxes needs at least 4.5:1",
        "colours.text '#5C6ED7' on the grey box fill '#E8E8E8' has a contrast ratio of 3.67:1; the 'Tell us at your next visit' heading needs at least 4.5:1",
    ]


def test_contrast_comes_with_the_other_problems(tmp_path):
    """A pair with a colour that is not #RRGGBB is skipped; the rest are still checked."""
    text = BRAND.read_text().replace('accent: "#EAF1F8"', 'accent: "pale"')
    text = text.replace('text: "#1A1A1A"', 'text: "#777777"').replace("en-US", "English")
    brand = tmp_path / "brand.yaml"
    brand.write_text(text.replace("logo: logo.svg\n", ""))
    with pytest.raises(BrandError) as caught:
        load_brand(brand, PRINTER)
    assert [str(p) for p in caught.value.problems] == [
        f"{brand}:14: colours.accent: expected a colour like '#1F4E79', found 'pale'",
        f"{brand}:15: colours.text: colours.text '#777777' on colours.background '#FFFFFF' has a contrast ratio of 4.47:1; body text needs at least 4.5:1",
        f"{brand}:15: colours.text: colours.text '#777777' on the grey box fill '#E8E8E8' has a contrast ratio of 3.65:1; the 'Tell us at your next visit' heading needs at least 4.5:1",
        f"{brand}:19: language: expected a language code like 'es' or 'en-US', found 'English'",
    ]


@pytest.mark.parametrize(
    "online",
    ["https://riverside.example.org/h/", "http://clinic.example/", "https://x.example/a/b/"],
)
def test_good_online_addresses_pass(tmp_path, online):
    brand = tmp_path / "brand.yaml"
    text = BRAND.read_text().replace("logo: logo.svg\n", "")
    brand.write_text(text.replace("https://riverside.example.org/h/", online))
    assert load_brand(brand, PRINTER).spec.online == online


def test_online_is_optional(tmp_path):
    brand = tmp_path / "brand.yaml"
    text = BRAND.read_text().replace("logo: logo.svg\n", "")
    brand.write_text("".join(line for line in text.splitlines(True) if "online:" not in line))
    assert load_brand(brand, PRINTER).spec.online is None


@pytest.mark.parametrize(
    "online",
    [
        "https:///",
        "ftp://example.org/",
        "https://example.org/h/\tx/",
        # the site's folders would not be where the address points (or outside --out)
        "https://x.org/a/../../../escape/",
        "https://x.org/%2e%2e/%2E%2E/escape/",
        "https://x.org/./h/",
        "https://x.org/h/?x=/",
        "https://x.org/h/#/",
        "https://x.org/a%2f..%2f../",
    ],
)
def test_bad_online_addresses_are_refused(tmp_path, online):
    brand = tmp_path / "brand.yaml"
    text = BRAND.read_text().replace("logo: logo.svg\n", "")
    brand.write_text(text.replace("https://riverside.example.org/h/", f'"{online}"'))
    with pytest.raises(BrandError) as caught:
        load_brand(brand, PRINTER)
    assert [p.message for p in caught.value.problems] == [
        "expected a web address ending in '/', like 'https://example.org/h/' (no '.' or '..' "
        f"folders, '?' or '#'), found '{online.replace(chr(9), chr(92) + 't')}'"  # (escaped)
    ]
