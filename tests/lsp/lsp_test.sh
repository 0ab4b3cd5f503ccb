#!/usr/bin/env bash
# `artel lsp` driven by a real LSP client: Neovim's, headless (lsp_test.lua),
# on a copy of sample.artel. Checks diagnostics as you type, hover, go to
# definition in the charter and in an imported library, document symbols
# and completion. Exit 77 (skipped) without nvim (scripts/install-deps.sh
# installs it).
# Usage: lsp_test.sh ARTEL
set -u
ARTEL=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
command -v nvim >/dev/null || { echo "SKIP: nvim is not installed"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$HERE/sample.artel" "$WORK/sample.artel"
export ARTEL CHARTER="$WORK/sample.artel" OUT="$WORK/out.json" ARTEL_STDLIB="$ROOT/stdlib" EDITORS="$ROOT/editors"
timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile $HERE/lsp_test.lua" >"$WORK/nvim.log" 2>&1
[ -s "$OUT" ] || { echo "FAIL: Neovim wrote no results"; cat "$WORK/nvim.log"; exit 1; }
/usr/bin/python3 - "$OUT" "$ROOT/stdlib/withdrawal.artel" "$CHARTER" "$ROOT" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
library, charter, root = sys.argv[2], sys.argv[3], sys.argv[4]
failed = []
def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failed.append(what)
def hover(name):
    h = r.get(name)
    return h["contents"]["value"] if isinstance(h, dict) and "contents" in h else ""
check(r["filetype"] == "artel", "editors/neovim/artel.lua sets the filetype")
check(r["initialized"], "the server initializes")
d = r["diagnostics"]
check(len(d) == 1 and d[0]["line"] == 17 and d[0]["severity"] == 2 and "{fee}" in d[0]["message"],
      f"one warning: article 2's text states the fee in figures: {d}")
h = hover("hover_parameter")
check("parameter" in h and "10.00 RUB" in h and "money" in h and "Article 1. Fees" in h, f"hover on a parameter: {h!r}")
h = hover("hover_rule")
check("pay(amount: money)" in h and "any member" in h and "любой член кооператива" in h, f"hover on a rule: {h!r}")
h = hover("hover_assembly")
check("three quarters of the general assembly" in h, f"hover on an assembly's rule: {h!r}")
h = hover("hover_library")
check("clause" in h and "pay_out(amount: money" in h and "withdrawal" in h, f"hover on a library clause: {h!r}")
h = hover("hover_article")
check("Article 1. Fees" in h and "Each member pays 10.00 RUB." in h and "платит 10,00 RUB" in h,
      f"hover on an article, its text with the parameter's value: {h!r}")
loc = r["definition_parameter"]
loc = loc[0] if isinstance(loc, list) else loc
check(loc["uri"].endswith("/sample.artel") and loc["range"]["start"]["line"] == 9, f"definition of fee: {loc}")
loc = r["definition_library"]
loc = loc[0] if isinstance(loc, list) else loc
check(loc["uri"] == "file://" + library and loc["range"]["start"]["line"] == 5, f"definition of pay_out in the library: {loc}")
s = r["symbols"]
names = [x["name"] for x in s]
check(names == ["Article 1. Fees", "Article 2. Assembly"], f"symbols by article: {names}")
check([c["name"] for c in s[0]["children"]] == ["fee", "pay"], f"article 1's symbols: {s[0]['children']}")
labels = {i["label"] for i in r["completion"]["items"]}
check({"fee", "majority", "pay", "spend", "pay_out", "require", "требуется", "перевести"} <= labels,
      f"completion offers names in scope and keywords in both languages ({len(labels)} items)")
check(r["edited"], "a mistake typed in the buffer is diagnosed")
msgs = [x["message"] for x in r["diagnostics_after_edit"]]
check(any("unknown word 'whlie'" in m for m in msgs), f"the diagnostic after the edit: {msgs}")
# The TextMate grammar of editors/vscode: valid JSON naming every keyword.
g = json.load(open(root + "/editors/vscode/syntaxes/artel.tmLanguage.json"))
pattern = g["repository"]["keywords"]["match"]
g4 = open(root + "/compiler/grammar/Artel.g4").read()
words = {w for m in re.finditer(r"^[A-Z_]+\s*:\s*(.*?);", g4, re.M) for w in re.findall(r"'([^']+)'", m.group(1))
         if re.match(r"^[^\W\d]+$", w)}
missing = sorted(w for w in words if "|" + w + "|" not in "|" + pattern.split("(?:", 1)[1].split(")(?!", 1)[0] + "|")
check(not missing, f"the TextMate grammar names every keyword ({len(words)}); missing: {missing}")
sys.exit(1 if failed else 0)
PY
[ $? = 0 ] || exit 1
# Bad input on the wire: answered, never a crash.
/usr/bin/python3 - "$ARTEL" <<'PY'
import json, subprocess, sys
def frame(body):
    b = body.encode() if isinstance(body, str) else body
    return b"Content-Length: %d\r\n\r\n" % len(b) + b
msgs = [frame('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}'), frame("{not json"),
        frame('{"jsonrpc":"2.0","id":2,"method":"workspace/nothing","params":{}}'),
        frame('{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///nowhere.artel"},"position":{"line":0,"character":0}}}'),
        frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///tmp/x.artel","text":"\\u0000\\u00ff garbage {{{"}}}'),
        frame('{"jsonrpc":"2.0","id":4,"method":"shutdown"}'), frame('{"jsonrpc":"2.0","method":"exit"}')]
p = subprocess.run([sys.argv[1], "lsp"], input=b"".join(msgs), capture_output=True, timeout=60)
out, replies = p.stdout, []
while out:
    head, _, rest = out.partition(b"\r\n\r\n")
    n = int(head.split(b":")[1])
    replies.append(json.loads(rest[:n]))
    out = rest[n:]
by_id = {r.get("id"): r for r in replies if "id" in r}
ok = (p.returncode == 0 and by_id[1]["result"]["capabilities"]["hoverProvider"] and by_id[None]["error"]["code"] == -32700
      and by_id[2]["error"]["code"] == -32601 and by_id[3]["result"] is None and by_id[4]["result"] is None
      and any(r.get("method") == "textDocument/publishDiagnostics" and r["params"]["diagnostics"] for r in replies))
print(("ok    " if ok else "FAIL  ") + "bad input on the wire is answered (exit %d, %d messages)" % (p.returncode, len(replies)))
sys.exit(0 if ok else 1)
PY
