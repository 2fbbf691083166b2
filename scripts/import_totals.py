#!/usr/bin/env python3
"""Independent totals for tests/real_tables.rs: what `mvkg import` must report for the real tables in
../shared/data (or $MVKG_SHARED_DATA), computed here with Python's csv module and the rules of README
"Importing tables", without any of mvkg's code.

Per file: data rows, rows skipped, flags by category. For crunchbase-investments-2013/investments.csv imported alone
into an empty store: its organisations (distinct name keys of companies and investors) and its rounds (distinct
(company name key, valid date, valid amount)).

Usage: python3 scripts/import_totals.py [DATA_DIR]
"""
import csv, io, os, re, sys, unicodedata, datetime, collections

DATA = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MVKG_SHARED_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
TODAY = datetime.date.today()
EXCEL = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}


def read(path):
    b = open(path, "rb").read()
    if b.startswith(b"\xef\xbb\xbf"):
        t = b[3:].decode("utf-8")
    else:
        try:
            t = b.decode("utf-8")
        except UnicodeDecodeError:
            t = b.decode("mac_roman") if b"\n" not in b else b.decode("cp1252")
    t = t.replace("\r\n", "\n").replace("\r", "\n")
    rows = list(csv.reader(io.StringIO(t, newline="")))
    return rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]


def diacritic(c):
    o = ord(c)
    return 0x300 <= o <= 0x36F or 0x1AB0 <= o <= 0x1AFF or 0x1DC0 <= o <= 0x1DFF or 0x20D0 <= o <= 0x20FF or 0xFE20 <= o <= 0xFE2F


def name_key(s):
    n = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFKD", s) if not diacritic(c))).lower()
    return re.sub(r"[^\w]+|_+", "-", n).strip("-")


def date(v, fmt):
    v = v.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", v)
    if m:
        y, mo = int(m[1]), int(m[2]) if m[2] else None
        if mo is not None and not 1 <= mo <= 12:
            return None
        return datetime.date(y, mo or 1, 1)
    if fmt == "iso":
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
        parts = (int(m[1]), int(m[2]), int(m[3])) if m else None
    else:  # %d/%m/%Y
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
        parts = (int(m[3]), int(m[2]), int(m[1])) if m else None
    if not parts:
        return None
    try:
        return datetime.date(*parts)
    except ValueError:
        return None


def amount(v):
    s = v.strip()
    if not s:
        return "empty", None
    if s.lower().startswith("undisclosed"):
        return "undisclosed", None
    neg = s.startswith("-")
    s = s.lstrip("-").strip()
    sym = None
    for p, c in (("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY")):
        if s.startswith(p):
            s, sym = s[len(p):].strip(), c
            break
    s = s.replace(",", "")
    if not s or not s[0].isdigit():
        return "bad-amount", None
    try:
        x = float(s)
    except ValueError:
        return "bad-amount", None
    x = -x if neg else x
    if x < 0:
        return "negative", None
    if x == 0:
        return "zero", None
    return "ok", (x, sym)


# profile: (subject name col, subject permalink col, other name col, other permalink col, date col, year col, date format, amount col, currency col, url col)
PROFILES = {
    "crunchbase-2013/crunchbase-companies.csv": ("name", "permalink", None, None, None, None, "iso", None, None, None),
    "crunchbase-2013/crunchbase-rounds.csv": ("company_name", "company_permalink", None, None, "funded_at", "funded_year", "iso", "raised_amount_usd", None, None),
    "crunchbase-2013/crunchbase-acquisitions.csv": ("company_name", "company_permalink", "acquirer_name", "acquirer_permalink", "acquired_at", "acquired_year", "iso", "price_amount", "price_currency_code", None),
    "crunchbase-investments-2013/investments.csv": ("company_name", None, "investor_name", None, "funded_when", None, "iso", "amount_usd", None, None),
    "tech-giants-acquisitions/acquisitions.csv": ("Acquired Company", None, "Acquiring Company", None, "Deal announced on", "Year of acquisition announcement", "%d/%m/%Y", "Price", None, "News Link"),
    "tech-giants-acquisitions/acquired-tech-companies.csv": ("Company", "CrunchBase Profile", None, None, None, None, "iso", None, None, None),
    "tech-giants-acquisitions/acquiring-tech-companies.csv": ("Acquiring Company", "CrunchBase Profile", None, None, None, None, "iso", None, None, None),
}


def check(rel):
    sn, sp, on, op, dc, yc, fmt, ac, cc, uc = PROFILES[rel]
    header, rows = read(os.path.join(DATA, rel))
    ix = {h.strip(): i for i, h in enumerate(header)}
    flags = collections.Counter()
    skipped = 0
    rounds = set()
    orgs = set()
    for r in rows:
        cell = lambda c: r[ix[c]].strip() if c else ""
        def name(c):
            v = cell(c)
            if v in EXCEL:
                flags["excel"] += 1
                return ""
            return v
        subj, other = name(sn), name(on)
        perm = lambda c: cell(c).rstrip("/").rsplit("/", 1)[-1].strip() if c else ""
        if not subj and not perm(sp):
            flags["skip"] += 1
            skipped += 1
            continue
        if on and not other and not perm(op):
            flags["skip"] += 1
            skipped += 1
            continue
        d = None
        if dc:
            v = cell(dc)
            if not v:
                flags["no-date"] += 1
            else:
                p = date(v, fmt)
                if p is None:
                    flags["bad-date"] += 1
                elif p.year < 1950:
                    flags["before-1950"] += 1
                elif p > TODAY:
                    flags["future"] += 1
                elif yc and cell(yc).isdigit() and int(cell(yc)) != p.year:
                    flags["year-mismatch"] += 1
                else:
                    d = v
        a = None
        if ac:
            kind, val = amount(cell(ac))
            if kind in ("undisclosed", "bad-amount", "negative", "zero"):
                flags[kind] += 1
            elif kind == "ok":
                cur = cell(cc).upper() if cc else ""
                if cur and not re.fullmatch(r"[A-Z]{3}", cur):
                    flags["bad-currency"] += 1
                else:
                    if cc and not cur and not val[1]:
                        flags["no-currency"] += 1
                    a = val[0]
        if uc:
            links = [u.strip() for u in cell(uc).split(", ") if u.strip()]
            good = [u for u in links if u.startswith(("http://", "https://")) and " " not in u and "<" not in u and ">" not in u and '"' not in u]
            flags["bad-url"] += len(links) - len(good)
            titles = cell("News")
            if titles and len(good) > 1 and len(titles.split(", ")) != len(good):
                flags["titles"] += 1
        if rel.endswith("investments.csv"):
            rounds.add((name_key(subj), d, a))
            orgs.add(name_key(subj))
            orgs.add(name_key(other))
    return len(rows), skipped, dict(sorted(flags.items())), len(rounds), len(orgs)


if __name__ == "__main__":
    print(f"# today {TODAY}")
    for rel in PROFILES:
        n, skipped, flags, rounds, orgs = check(rel)
        extra = f" rounds={rounds} organisations={orgs}" if rel.endswith("investments.csv") else ""
        print(f"{rel}: rows={n} skipped={skipped} flags={flags}{extra}")
