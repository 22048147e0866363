#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/ from the repository's own files (tests, bench workloads, data), and the
GraphQL dictionary fuzz/graphql.dict from schema.graphql. Run from anywhere; re-run when the sources change:

    python3 fuzz/tools/make_seeds.py
"""

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fuzz" / "corpus"


def seed(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def reset(target: str) -> None:
    shutil.rmtree(CORPUS / target, ignore_errors=True)


# GraphQL: the benchmark's five workloads, and requests shaped like those of the tests (variables, fragments,
# aliases, limits, introspection, node ids), each also as a JSON body for the HTTP target.
QUERIES = [(p.read_text(), None) for p in sorted((ROOT / "bench" / "workloads").glob("*.graphql"))]
QUERIES += [
    ("{ __typename }", None),
    ("query Q($code: String!) { area(code: $code) { code name region { name } } }", {"code": "E10000029"}),
    ("query($first: Int) { inspections(first: $first) { edges { cursor node { key outcome } } pageInfo { hasNextPage endCursor } } }", {"first": 3}),
    ("fragment A on Area { code name } { areas(first: 2) { edges { node { ...A } } } }", None),
    ("{ a: areas(first: 1) { totalCount } b: areas(first: 1) { totalCount } }", None),
    ("{ __schema { types { name kind fields { name } } } }", None),
    ("{ node(id: \"4172656127\") { id ... on Area { code } } }", None),
    ("{ themeCounts(filter: {year: 2024}) { theme actions inspections } }", None),
    ("{ areas(first: 100000) { totalCount } }", None),
    ("{ areas(first: 1) { edges { node { inspections { nodes { key } } } } } }", None),
    ("query { outcomeProfile(filter: {framework: FRAMEWORK_2023, regions: [\"E12000007\"]}) { total } }", None),
    ("{ areas(filter: {search: \"york\"}) { edges { node { name } } } }", None),
]
reset("graphql_request")
reset("graphql_http")
for query, variables in QUERIES:
    seed("graphql_request", query.encode() + (b"\0" + json.dumps(variables).encode() if variables else b""))
    body = {"query": query}
    if variables:
        body["variables"] = variables
    seed("graphql_http", bytes([0]) + json.dumps(body).encode())
# Other headers (the first byte), a GET-style body, persisted queries, cost, a batch.
seed("graphql_http", bytes([5]) + json.dumps({"query": "{ __typename }", "extensions": {"cost": True}}).encode())
seed("graphql_http", bytes([1]) + b"{ __typename }")
seed("graphql_http", bytes([0]) + json.dumps({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}).encode())
seed("graphql_http", bytes([0]) + json.dumps([{"query": "{ __typename }"}]).encode())
seed("graphql_http", bytes([0]) + json.dumps({"query": "query A { __typename } query B { __typename }", "operationName": "B"}).encode())

# Dictionary: every name of the schema, and the language's punctuation and keywords.
names = sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", (ROOT / "schema.graphql").read_text())))
tokens = names + ["{", "}", "(", ")", "[", "]", ":", "$", "!", "@", "...", "=", "\"", "\"\"\"", "#", ",",
                  "query", "fragment", "on", "__typename", "__schema", "__type", "true", "false", "null"]
(ROOT / "fuzz" / "graphql.dict").write_text(
    "# GraphQL tokens and every name of schema.graphql (written by fuzz/tools/make_seeds.py)\n"
    + "".join(f"{json.dumps(t)}\n" for t in tokens)
)

# Data files: the curated CSVs, the official statistics, the test workbooks.
reset("tabular_file")
for path in sorted((ROOT / "data").glob("*.csv")) + sorted((ROOT / "data" / "official").iterdir()) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.[ox]*")
):
    seed("tabular_file", path.read_bytes())

# One seed per member of each fixture workbook: the selector byte, then the member's bytes (see workbook_member.rs).
reset("workbook_member")
for high, name in [(0x00, "mi_2023_framework.xlsx"), (0x80, "mi_2023_framework.ods")]:
    with zipfile.ZipFile(ROOT / "tests" / "fixtures" / name) as z:
        for index, info in enumerate(z.infolist()):
            seed("workbook_member", bytes([high | index]) + z.read(info))

# Reports: the small made-up PDFs of the tests (encrypted, image only, other kinds of report, one that makes the PDF
# library panic), the two smallest real reports of data/reports (git stores each blob once), and a minimal PDF of
# one page with report-like text, so that most executions are quick.
reset("report_pdf")
for path in sorted((ROOT / "data" / "reports" / "fixtures").glob("*.pdf")):
    seed("report_pdf", path.read_bytes())
for path in sorted((ROOT / "data" / "reports").glob("*.pdf"), key=lambda p: p.stat().st_size)[:2]:
    seed("report_pdf", path.read_bytes())


def tiny_pdf(lines):
    text = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({l}) '" for l in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for o in offsets:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


seed("report_pdf", tiny_pdf([
    "Area SEND full inspection of York",
    "Inspection dates: 13 to 17 November 2023",
    "Dates of previous inspection: 2 to 6 October 2017",
    "Inspection outcome",
    "The local area partnership's special educational needs and/or disabilities (SEND) arrangements typically",
    "lead to positive experiences and outcomes for children and young people with SEND.",
    "Areas for improvement",
    "Leaders should improve the timeliness of EHC plans.",
]))

total = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
print(f"seeds: {sum(1 for f in CORPUS.rglob('*') if f.is_file())} files, {total} bytes")
