#!/usr/bin/env python3
"""Writes src/import/iso3.rs: ISO 3166-1 alpha-3 -> alpha-2 codes from pycountry (pip install pycountry)."""
import pycountry

a3 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
lines = [
    f"//! ISO 3166-1 alpha-3 to alpha-2 codes (generated with pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else ''} by scripts/iso3.py), sorted by alpha-3 for binary search.",
    "",
    "pub(crate) const ISO3_TO_ISO2: &[(&str, &str)] = &[",
]
lines += [f'    ("{k}", "{a3[k]}"),' for k in sorted(a3)]
lines.append("];")
open("src/import/iso3.rs", "w").write("\n".join(lines) + "\n")
