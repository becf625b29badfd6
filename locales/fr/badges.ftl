## Badge verification page
verify-title = Vérifier un Open Badge
verify-intro = Déposez un badge (image PNG ou SVG, ou fichier JSON) : Atelier vérifie sa signature, son émetteur, ses dates et s'il a été révoqué. Le fichier n'est pas conservé.
verify-file = Fichier du badge
verify-submit = Vérifier
verify-valid = Badge valide
verify-invalid = Badge non valide
verify-achievement = Badge
verify-recipient = Bénéficiaire
verify-issuer = Émetteur
verify-from = Délivré le
verify-until = Valable jusqu'au
verify-check-extract = Lecture du fichier
verify-check-structure = Format Open Badges 3.0
verify-check-proof = Signature de l'émetteur
verify-check-validity = Dates de validité
verify-check-status = Statut (révocation)
verify-check-revocation = Registre de l'émetteur
