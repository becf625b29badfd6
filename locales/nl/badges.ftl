## Badge verification page
verify-title = Een Open Badge controleren
verify-intro = Laad een badge op (PNG- of SVG-afbeelding, of JSON-bestand): Atelier controleert de handtekening, de uitgever, de data en of de badge ingetrokken is. Het bestand wordt niet bewaard.
verify-file = Bestand van de badge
verify-submit = Controleren
verify-valid = Geldige badge
verify-invalid = Ongeldige badge
verify-achievement = Badge
verify-recipient = Ontvanger
verify-issuer = Uitgever
verify-from = Uitgereikt op
verify-until = Geldig tot
verify-check-extract = Bestand lezen
verify-check-structure = Open Badges 3.0-formaat
verify-check-proof = Handtekening van de uitgever
verify-check-validity = Geldigheidsdata
verify-check-status = Status (intrekking)
verify-check-revocation = Register van de uitgever
