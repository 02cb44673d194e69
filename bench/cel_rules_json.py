"""Writes a stagegate CEL rule file and a data file as one JSON document for bench/cel_js.mjs.

Usage: python3 bench/cel_rules_json.py RULES.cel.yaml DATA.yaml > rules.json (needs pyyaml).
"""

import json
import sys

import yaml

rules = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
data = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
json.dump(
    {
        "variables": rules.get("variables", []),
        "validations": [
            {
                "id": v["id"],
                "expression": v["expression"],
                "messageExpression": v.get("messageExpression"),
                "messageText": v.get("message"),
            }
            for v in rules.get("validations", [])
        ],
        "data": data,
    },
    sys.stdout,
)
