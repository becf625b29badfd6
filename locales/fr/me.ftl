## My data (right of access)
me-title = Mes données
me-intro = Voici ce qu'Atelier garde de vos participations depuis ce téléphone. Pour les faire effacer, adressez-vous à l'organisateur de l'atelier.
me-nothing = Ce téléphone n'a participé à aucun atelier, ou ses données ont déjà été effacées.
me-session = Atelier
me-name = Nom affiché
me-badge-name = Nom dans le badge
me-badge-status = Badge
me-feedback = Avis
me-feedback-anonymous = anonyme : enregistré sans votre nom, impossible à relier à vous
me-retention = Conservation
me-retention-days = noms effacés { $days } jours après l'atelier
me-download = Télécharger mes données (JSON)
me-privacy = Données personnelles
me-badge-pending = en attente de l’animateur
me-badge-approved = en cours de signature
me-badge-refused = refusé
me-badge-issued = délivré
