"""Checks JSON instances against the named schemas of kitei's OpenAPI document.

usage: validate.py DOCUMENT INSTANCES

INSTANCES is a JSON array of {"schema": NAME, "label": TEXT, "instance": ANY,
"valid": BOOL}: each instance is validated (JSON Schema 2020-12, OpenAPI 3.1's
dialect, by openapi-schema-validator) against #/components/schemas/NAME, and
must come out valid or invalid as `valid` says. Invalid ones are the test's
controls: schemas that accepted anything would fail them. Exit 1 on any
mismatch, naming each.
"""

import json
import sys

from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "urn:kitei:openapi"


def main(document_path, instances_path):
    with open(document_path, encoding="utf-8") as f:
        document = json.load(f)
    with open(instances_path, encoding="utf-8") as f:
        items = json.load(f)
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(BASE, resource)
    schemas = document["components"]["schemas"]
    wrong = 0
    for item in items:
        name, label, expect = item["schema"], item["label"], item["valid"]
        if name not in schemas:
            print(f"FAIL {label}: no schema `{name}` in the document")
            wrong += 1
            continue
        validator = OAS31Validator({"$ref": f"{BASE}#/components/schemas/{name}"}, registry=registry)
        errors = sorted(validator.iter_errors(item["instance"]), key=lambda e: list(e.absolute_path))
        if bool(errors) == expect:
            wrong += 1
            if expect:
                print(f"FAIL {label}: not a valid {name}:")
                for e in errors[:5]:
                    path = "/".join(str(p) for p in e.absolute_path) or "(root)"
                    print(f"    at {path}: {e.message[:300]}")
            else:
                print(f"FAIL {label}: accepted as a {name}, but it must not be")
    print(f"{len(items) - wrong} of {len(items)} instances as expected")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
