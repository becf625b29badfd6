## Bingo des Open Badges (static/bingo.js)
## In French, punctuation is preceded by a no-break space.

## Shared
bingo-prizes-title = Prix
bingo-prize-first-line = Première ligne
bingo-prize-two-lines = Deux lignes
bingo-prize-full-card = Carton plein
bingo-prize-to-win = À gagner
bingo-someone = Participant { $id }
bingo-hardest-title = Les termes les plus difficiles
bingo-hardest-item = { $term } : { $percent } % de réussite
bingo-prize-when = Tour { $step } · { $time }
bingo-prize-when-step = Tour { $step }
bingo-countdown-left = { $seconds } s
bingo-countdown-over = Temps écoulé

## Phone: grid and Bingo button
bingo-grid-label = Votre grille de bingo
bingo-cell-marked = trouvé
bingo-cell-missed = manqué
bingo-cell-wrong = mauvaise réponse pour cette définition
bingo-cell-position = ligne { $row }, colonne { $column }
bingo-claim = Bingo !
bingo-claim-hint-none = Complétez une ligne, une colonne ou une diagonale.
bingo-claim-hint-ready = Ligne complète ! Appuyez sur « Bingo ! » ({ $prize }).
bingo-claim-hint-nothing = Ligne complète, mais ce prix est déjà attribué : visez le suivant !
bingo-claim-hint-keep-going = Bravo ! Continuez pour le prix suivant.
bingo-claim-sent = Bingo envoyé… vérification en cours.
bingo-verdict-won = Bingo validé ! Vous gagnez : { $prizes }.
bingo-verdict-none = Bingo valide, mais ce prix était déjà attribué.
bingo-verdict-false = Pas de ligne complète : bingo refusé.
bingo-prize-status-open = { $prize } : à gagner
bingo-prize-status-won = { $prize } : { $count ->
    [one] 1 gagnant
   *[other] { $count } gagnants
}
bingo-prize-status-mine = { $prize } : gagné !

## Phone: what to do now
bingo-phone-not-in-game = Vous ne participez pas à ce bingo. Rechargez la page ou demandez à l'animateur.
bingo-phone-status = { $step ->
    [0] Bingo
   *[other] Définition { $step }/25
} · { $marks ->
    [0] aucune case
    [one] 1 case
   *[other] { $marks } cases
} · { $lines ->
    [0] aucune ligne
    [one] 1 ligne
   *[other] { $lines } lignes
}
bingo-phone-status-listening = { $called ->
    [0] Aucun terme appelé
    [one] 1 terme appelé
   *[other] { $called } termes appelés
} · { $marks ->
    [0] aucune case
    [one] 1 case
   *[other] { $marks } cases
} · { $lines ->
    [0] aucune ligne
    [one] 1 ligne
   *[other] { $lines } lignes
}
bingo-phone-wait-first = Le bingo va commencer.
bingo-phone-how = Écoutez chaque définition et touchez le terme qui correspond.
bingo-phone-listen = Définition { $step } : quel terme ?
bingo-phone-tap-once = Touchez le bon terme. Une seule réponse par définition.
bingo-phone-sending = Réponse envoyée…
bingo-phone-right = Bonne réponse !
bingo-phone-wrong = Raté pour cette définition.
bingo-phone-wait-reveal = La réponse va être révélée à l'écran.
bingo-phone-revealed-found = C'était « { $term } » : trouvé !
bingo-phone-revealed-missed = C'était « { $term } ».
bingo-phone-wait-next = Attendez la définition suivante.
bingo-phone-paused = Pause.
bingo-phone-paused-sub = Le jeu reprend dans un instant ; vos cases sont conservées.
bingo-phone-ended = Le bingo est terminé.
bingo-phone-ended-sub = Merci ! Voici votre résultat.
bingo-phone-listening-start = Écoutez l'exposé.
bingo-phone-listening-how = Quand un terme de votre grille est appelé, touchez-le.
bingo-phone-called = Terme appelé : « { $term } »
bingo-phone-summary-title = Votre bingo
bingo-phone-summary = { $marks ->
    [one] 1 case trouvée
   *[other] { $marks } cases trouvées
} sur 25, { $lines ->
    [0] aucune ligne complète.
    [one] 1 ligne complète.
   *[other] { $lines } lignes complètes.
}
bingo-phone-summary-prizes = Vos prix : { $prizes }.
bingo-phone-summary-no-prize = Pas de prix cette fois, mais tout le vocabulaire est là !

## Phone: short messages when a cell cannot be played
bingo-notice-already-marked = Cette case est déjà trouvée.
bingo-notice-cell-closed = Cette case correspond à une définition déjà passée.
bingo-notice-no-definition = Attendez la prochaine définition pour répondre.
bingo-notice-already-answered = Vous avez déjà répondu à cette définition.
bingo-notice-not-called = « { $term } » n'a pas encore été appelé.
bingo-notice-offline = Pas de connexion : réessayez dans un instant.

## Phone: screen reader announcements
bingo-announce-drawn = Définition { $step } : écoutez-la, puis touchez le terme.
bingo-announce-right = Bonne réponse : { $term } est trouvé.
bingo-announce-wrong = Mauvaise réponse : ce n'était pas { $term }.
bingo-announce-line = Ligne complète : appuyez sur Bingo !
bingo-announce-marked = { $term } est marqué.
bingo-announce-prize = { $prize } : { $count ->
    [one] 1 gagnant
   *[other] { $count } gagnants
}.
bingo-announce-resumed = Le jeu reprend.

## Projector
bingo-screen-ready = Le bingo va commencer
bingo-rule-grid = Sur votre téléphone : une grille de 25 termes, mélangés rien que pour vous.
bingo-rule-definition = Une définition est lue : touchez le terme qui correspond. Une seule réponse par définition !
bingo-rule-listening = Pendant l'exposé, des termes sont appelés : touchez-les sur votre grille.
bingo-rule-claim = Une ligne, une colonne ou une diagonale complète ? Appuyez sur « Bingo ! ».
bingo-screen-progress = { $step ->
    [0] { $total } définitions à découvrir
   *[other] Définition { $step }/{ $total }
}
bingo-screen-progress-listening = { $called ->
    [0] Aucun terme appelé
    [one] 1 terme appelé sur { $total }
   *[other] { $called } termes appelés sur { $total }
}
bingo-screen-answers = { $answered }/{ $of } réponses
bingo-screen-players = { $count ->
    [one] 1 joueur
   *[other] { $count } joueurs
}
bingo-screen-question = Quel est le terme ?
bingo-screen-answer = La réponse
bingo-screen-listen = Écoutez la définition…
bingo-screen-found = { $found }/{ $of } l'ont trouvé · { $percent } %
bingo-screen-last-called = Dernier terme appelé
bingo-screen-paused = Pause
bingo-screen-paused-sub = Le bingo reprend dans un instant.
bingo-screen-ended = Bingo terminé : bravo à toutes et à tous !
bingo-screen-winner = Bingo ! { $name } : { $prize }
bingo-screen-sound-hint = Son activé : cliquez une fois sur cet écran pour l'autoriser.

## Facilitator console
bingo-console-title = Bingo (définitions)
bingo-console-title-listening = Bingo (écoute)
bingo-console-state-running = En cours
bingo-console-state-paused = En pause : les téléphones ne peuvent plus jouer.
bingo-console-state-ended = Terminé
bingo-console-start-help = Tirez la première définition quand tout le monde voit sa grille.
bingo-console-definition = Définition { $step } · encore { $remaining } à tirer
bingo-console-answer = Réponse :
bingo-console-result = Trouvé par { $found } sur { $of } ({ $percent } %) · { $answered ->
    [one] 1 réponse
   *[other] { $answered } réponses
}
bingo-console-debrief-help = Pour le débriefing, l'explication de chaque terme :
bingo-console-draw = Tirer une définition au hasard
bingo-console-draw-next = Révéler et tirer la suivante
bingo-console-reveal = Révéler la réponse
bingo-console-pick = Ou choisir la définition
bingo-console-draw-picked = Tirer celle-ci
bingo-console-call-label = Termes à appeler
bingo-console-call-help = Touchez un terme dès qu'il est prononcé pendant l'exposé.
bingo-console-called-count = { $called }/{ $total } termes appelés
bingo-console-last-called = Dernier appelé : { $term }
bingo-console-pause = Mettre en pause
bingo-console-resume = Reprendre
bingo-console-end = Terminer le bingo
bingo-console-end-question = Terminer le bingo pour tout le monde ?
bingo-console-end-confirm = Oui, terminer
bingo-console-end-cancel = Annuler
bingo-console-participants = Joueurs
bingo-col-name = Nom
bingo-col-marks = Cases
bingo-col-lines = Lignes
bingo-col-claims = Bingos
bingo-col-prizes = Prix
bingo-console-claims-refused = { $claims } (dont { $refused } { $refused ->
    [one] refusé
   *[other] refusés
})
bingo-console-nobody = Personne n'a encore rejoint.
bingo-console-prize-won = { $names } (tour { $step })
bingo-console-refused = Bingos refusés ({ $count })
bingo-console-refused-item = { $name } : aucune ligne complète (tour { $step })
bingo-console-refused-none = Aucun pour l'instant.
bingo-console-history = Définitions révélées
bingo-console-history-item = { $term } : { $found }/{ $of } ({ $percent } %)
bingo-console-history-none = Aucune pour l'instant.
bingo-console-no-stats = Aucune définition n'a été révélée.
bingo-console-claim-valid = { $name } : bingo validé.
bingo-console-claim-false = { $name } : bingo refusé, aucune ligne complète.
bingo-console-countdown = Compte à rebours par définition
bingo-console-countdown-off = Aucun
bingo-console-countdown-seconds = { $seconds ->
    [one] 1 seconde
   *[other] { $seconds } secondes
}
bingo-console-sound = Son sur le projecteur à chaque bingo
