## Badge verification page
verify-title = Verify an Open Badge
verify-intro = Upload a badge (PNG or SVG image, or JSON file): Atelier checks its signature, its issuer, its dates and whether it was revoked. The file is not kept.
verify-file = Badge file
verify-submit = Verify
verify-valid = Valid badge
verify-invalid = Invalid badge
verify-achievement = Badge
verify-recipient = Recipient
verify-issuer = Issuer
verify-from = Issued on
verify-until = Valid until
verify-check-extract = Reading the file
verify-check-structure = Open Badges 3.0 format
verify-check-proof = Issuer's signature
verify-check-validity = Validity dates
verify-check-status = Status (revocation)
verify-check-revocation = Issuer's register
