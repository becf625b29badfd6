"""Runs the 1EdTech Open Badges 2.0 validator (PyPI package `openbadges`) on a badge.

Usage: ob2_validate.py INPUT [--recipient EMAIL] [--map PREFIX=LOCAL ...]

INPUT is a hosted assertion URL or a baked PNG file. The validator fetches every document
(assertion, badge class, issuer, image) over HTTP, as a backpack would, except:
- the Open Badges 2.0 JSON-LD context, which the package ships, is served from it instead of
  https://w3id.org (the tests run without internet);
- URLs under a mapped PREFIX (the server's public URL) are fetched from LOCAL instead (the test
  server on 127.0.0.1), like a hosts-file entry: the request still reaches the real server.

Prints the validator's report as JSON; exit code 0 only for a valid badge.
"""

import argparse
import json
import sys

import requests
from requests.adapters import HTTPAdapter
from requests.models import Response

from openbadges import verify
from openbadges.verifier.openbadges_context import (
    OPENBADGES_CONTEXT_V2_DICT,
    OPENBADGES_CONTEXT_V2_URI,
)


def install_routes(mappings):
    real_send = HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        url = request.url
        if url.rstrip("/") == OPENBADGES_CONTEXT_V2_URI:
            response = Response()
            response.status_code = 200
            response.url = url
            response.request = request
            response.headers["Content-Type"] = "application/ld+json"
            response._content = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode()
            return response
        for prefix, local in mappings:
            if url.startswith(prefix):
                request.url = local + url[len(prefix):]
                request.headers["Host"] = prefix.split("://", 1)[1].split("/", 1)[0]
                break
        return real_send(self, request, *args, **kwargs)

    HTTPAdapter.send = send


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("--recipient")
    parser.add_argument("--map", action="append", default=[])
    args = parser.parse_args()
    install_routes([tuple(m.split("=", 1)) for m in args.map])

    profile = {"email": args.recipient} if args.recipient else None
    # No response cache: the package's cache calls a requests-cache API that newer releases
    # renamed, and every run here is a fresh process anyway.
    options = {"use_cache": False, "cache_backend": None}
    if args.input.startswith(("http://", "https://")):
        result = verify(args.input, recipient_profile=profile, **options)
    else:
        with open(args.input, "rb") as image:
            result = verify(image, recipient_profile=profile, **options)
    report = result["report"]
    print(json.dumps({"report": report, "graph": result.get("graph", [])}))
    sys.exit(0 if report.get("valid") else 1)


if __name__ == "__main__":
    main()
