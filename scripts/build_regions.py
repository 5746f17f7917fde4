"""Build govdisclosure/data/regions.csv from cpca's table of administrative division codes.

Run by a developer when the table should change, not at install or import time. cpca
(MIT licence; https://github.com/DQinYuan/chinese_province_city_area_mapper) ships
``resources/adcodes.csv``; we read that file as data and never import cpca, because cpca's
``__init__`` imports ``pkg_resources``, which setuptools 82 removed. The output adds each
division's province and prefecture names so that matching needs no second lookup.

    pip install cpca==0.5.5 && python scripts/build_regions.py
"""

from __future__ import annotations

import csv
from importlib.metadata import distribution
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "govdisclosure" / "data" / "regions.csv"
# Placeholders in the national code table that are not place names.
NOT_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def main() -> None:
    path = distribution("cpca").locate_file("cpca/resources/adcodes.csv")
    with open(path, encoding="utf-8") as fh:
        rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(fh)]
    names = dict(rows)
    out = []
    for code, name in rows:
        if name in NOT_NAMES:
            continue
        if code.endswith("0000"):
            level = "province"
        elif code.endswith("00"):
            level = "prefecture"
        else:
            level = "county"
        province = names.get(code[:2] + "0000", "")
        city = names.get(code[:4] + "00", "") if level != "province" else ""
        if city in NOT_NAMES:
            city = ""
        county = name if level == "county" else ""
        out.append((code, name, level, province, city if level != "prefecture" else name, county))
    out.sort()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["adcode", "name", "level", "province", "city", "county"])
        writer.writerows(out)
    print(f"{len(out)} divisions → {OUT}")


if __name__ == "__main__":
    main()
