"""Benchmark: the generated briefs at town scale (30 villages × 150 indicators × 5 years) and
the district's 通报 of 20 such towns. Prints p50/p95 and the goals; asserts nothing.

    python bench/briefs.py [--towns 20] [--repeat 10]

Goals (issue 12): a town's brief text under 0.5 s, its .docx under 2 s; the district's 通报
of 20 towns under 3 s.
"""

import argparse
import time

from _setup import setup_django, timed_together


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from summary import build_district

    from indicators.areas import AreaTree
    from reports import briefs, documents

    start = time.perf_counter()
    district, towns, year, total = build_district(args.towns)
    print(f"database: {connection.vendor}; {args.towns} towns x 30 villages x 150 indicators x"
          f" 5 years = {total:,} figures, built in {time.perf_counter() - start:.0f}s")  # fmt: skip
    town = towns[0]

    def text():
        return briefs.monthly_brief(town, year, 10, tree=AreaTree()).text

    def docx():
        return documents.brief_docx(briefs.monthly_brief(town, year, 10, tree=AreaTree()))

    def notice():
        return briefs.district_notice(district, year, 10, tree=AreaTree()).text

    def review():
        return briefs.year_review(town, year - 1, tree=AreaTree())

    times = timed_together({"text": text, "docx": docx, "review": review}, args.repeat)
    district_times = timed_together({"notice": notice}, max(3, args.repeat // 3))
    goals = {"text": 500, "docx": 2000, "review": 500, "notice": 3000}
    labels = {"text": "town brief, text", "docx": "town brief, .docx", "review": "year review",
              "notice": f"district 通报, {args.towns} towns"}  # fmt: skip
    for name, (p50, p95) in {**times, **district_times}.items():
        verdict = "ok" if p95 < goals[name] else "OVER"
        print(
            f"{labels[name]:<28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  goal < {goals[name]} ms: {verdict}"
        )
    print(f"brief: {len(text())} characters; .docx {len(docx()) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
