"""A real SPARQL client against a running `mvkg serve`: SPARQLWrapper sends the query, pandas reads the result.

Usage: python sparql_client.py BASE_URL
Prints key=value lines that tests/e2e.rs checks.
"""
import io
import sys

import pandas as pd
from SPARQLWrapper import CSV, JSON, SPARQLWrapper

base = sys.argv[1].rstrip("/")

# 1. SELECT over the protocol, JSON results, into a DataFrame.
sw = SPARQLWrapper(f"{base}/sparql")
sw.setQuery("""
    PREFIX mv: <https://w3id.org/mvkg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?company ?label WHERE {
      ?company a mv:Company ; rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en"))
    } ORDER BY ?label LIMIT 5
""")
sw.setReturnFormat(JSON)
res = sw.query().convert()
rows = [{k: v["value"] for k, v in b.items()} for b in res["results"]["bindings"]]
df = pd.DataFrame(rows)
print(f"json_rows={len(df)}")
print(f"json_columns={','.join(df.columns)}")
print(f"json_first_label={df['label'].iloc[0]}")

# 2. The same by POST, CSV straight into pandas.
sw.setMethod("POST")
sw.setReturnFormat(CSV)
csv_df = pd.read_csv(io.BytesIO(sw.query().convert()))
print(f"csv_rows={len(csv_df)}")
print(f"csv_same_as_json={csv_df['label'].tolist() == df['label'].tolist()}")

# 3. A named query with a parameter, read by pandas from its URL.
named = pd.read_csv(f"{base}/queries/investors-in?company=Naver%20Z&format=csv")
print(f"named_rows={len(named)}")
print(f"named_first_investor={named['investorLabel'].iloc[0]}")

# 4. ASK.
sw = SPARQLWrapper(f"{base}/sparql")
sw.setQuery("ASK { <https://w3id.org/mvkg/id/naver-z> ?p ?o }")
sw.setReturnFormat(JSON)
print(f"ask={sw.query().convert()['boolean']}")

# 5. The analyst API, straight into a DataFrame.
top = pd.read_json(f"{base}/api/rank?by=capital&top=5")
print(f"api_rank_rows={len(top)}")
print(f"api_rank_first={top['label'].iloc[0]}")
print(f"api_rank_columns={','.join(top.columns)}")
