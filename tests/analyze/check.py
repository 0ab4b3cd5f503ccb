"""x_required of `artel analyze savings` against the general balance
condition (15) of the paper, checked here in exact fractions without the
formulas the tool uses: (15) must hold at every stage k in [0, (100 - x)/m]
for x = x_required (within the tool's six decimals) and fail somewhere for
x a thousandth of a percent lower."""
import json
import subprocess
import sys
from fractions import Fraction as F

artel = sys.argv[1]


def g(x, k, a, m, c, P):
    z = x + k * m
    return z * z - m * z - a * a - a * m - 200 * k * m - 2 * c * m * (P - z)


def min_over_stages(x, a, m, c, P):
    """The smallest g over k in [0, (100 - x)/m]: g is a quadratic in k; check
    the ends and, when inside, the stationary point, plus a grid."""
    K = (100 - x) / m
    ks = [F(0), K] + [K * i / 400 for i in range(1, 400)]
    # d/dk of g: 2m(x + km) - m^2 - 200m + 2cm^2 = 0
    ks.append((100 + m / 2 - c * m - x) / m)
    return min(g(x, k, a, m, c, P) for k in ks if 0 <= k <= K)


failed = 0
cases = [(10, 2, 10), (10, 2, 30), (10, 2, F(1, 4)), (20, 5, 4), (0, 1, 50), (15, 3, 12), (5, F(5, 2), 20)]
for a, m, c in cases:
    for half in (False, True):
        args = [artel, "analyze", "savings", "--json", "--a", str(float(a)), "--m", str(float(m)), "--c", str(float(c))]
        if half:
            args.append("--half-issue")
        out = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        x = F(out["x_required"])
        P = 50 if half else 100
        a_, m_, c_ = F(a), F(m), F(c)
        ok_at = min_over_stages(x + F(1, 10**6), a_, m_, c_, P) >= 0
        fails_below = min_over_stages(x - F(1, 1000), a_, m_, c_, P) < 0
        name = f"a={a} m={m} c={c}{' half' if half else ''}: x_required={out['x_required']} ({out['case']})"
        if ok_at and fails_below:
            print("ok    (15) holds at every stage and fails just below:", name)
        else:
            print("FAIL  (15) check:", name, "holds:", ok_at, "fails below:", fails_below)
            failed += 1
sys.exit(1 if failed else 0)
