## Feedback: the phone's form (static/feedback.js)
feedback-title = Votre avis
feedback-intro = Un feedback ? Évaluez l'atelier et laissez-nous un commentaire pour nous aider à l'améliorer. C'est anonyme : votre nom n'est pas enregistré avec votre avis.
feedback-overall = Dans l'ensemble, comment avez-vous trouvé l'atelier ?
feedback-activity = { $activity } : votre note
feedback-optional = (facultatif)
feedback-rating-1 = Pas du tout
feedback-rating-2 = Peu
feedback-rating-3 = Moyen
feedback-rating-4 = Bien
feedback-rating-5 = Excellent
feedback-comment = Un commentaire pour nous aider à l'améliorer ?
feedback-count = { $count } / { $max } caractères
feedback-count-over = { $over } caractères de trop
feedback-count-left = Encore { $left } caractères possibles.
feedback-send = Envoyer mon avis
feedback-sending = Envoi…
feedback-thanks-title = Merci !
feedback-thanks = Votre avis est bien arrivé. Il nous aide à améliorer l'atelier.
feedback-error-overall = Choisissez une note globale, de 1 à 5.
feedback-error-invalid_rating = Une note est un nombre entier de 1 à 5.
feedback-error-unknown_activity = Cette activité ne fait pas partie de l'atelier.
feedback-error-comment_too_long = Le commentaire est trop long : 2 000 caractères au plus.
feedback-error-already_given = Vous avez déjà donné votre avis. Merci !
feedback-error-not_yet = Le formulaire s'ouvre après la remise des badges. Un instant…
feedback-error-unknown_token = Ce téléphone ne fait plus partie de l'atelier : rejoignez-le à nouveau pour donner votre avis.
feedback-error-network = Pas de connexion. Votre avis n'est pas perdu : réessayez dans un instant.
feedback-error-other = L'envoi a échoué. Réessayez dans un instant.
feedback-privacy = Vos données et vos droits

## Feedback on the projector and the console
feedback-stats-title = Vos avis
feedback-stats-count = { $count ->
    [0] Pas encore d'avis
    [one] 1 avis
   *[other] { $count } avis
}
feedback-stats-average = Note moyenne : { $average } / 5
feedback-comments-title = Vos commentaires
feedback-comments-show = Afficher les commentaires au projecteur
feedback-comments-hide = Masquer les commentaires du projecteur
feedback-comments-none = Pas encore de commentaire.
feedback-comments-shown = Les commentaires sont affichés au projecteur.
feedback-comments-hidden = Les commentaires sont masqués.
feedback-comments-failed = Impossible de changer l'affichage des commentaires.
