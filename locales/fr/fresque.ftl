## Fresque de la reconnaissance (static/fresque.js): phone, console and projector

fresque-team-name = Équipe { $n }
fresque-pack-n = Paquet { $n }
fresque-someone = Quelqu'un de l'équipe
fresque-competence = Compétence à reconnaître :
fresque-no-pack-yet = { $total ->
    [one] Un paquet à recevoir
   *[other] { $total } paquets à recevoir
}
fresque-pack-progress = Paquet { $n } sur { $total } : { $name }
fresque-placed-of = { $placed ->
    [one] { $placed } carte posée sur { $dealt }
   *[other] { $placed } cartes posées sur { $dealt }
}
fresque-pool = { $count ->
    [one] { $count } carte en attente d'un membre
   *[other] { $count } cartes en attente d'un membre
}
fresque-hand-count = { $count ->
    [0] main vide
    [one] 1 carte en main
   *[other] { $count } cartes en main
}

## Phone
fresque-wait-teams = La fresque va commencer : l'animateur forme les équipes.
fresque-no-team = Vous n'êtes pas encore dans une équipe. L'animateur va vous en attribuer une.
fresque-wait-pack = Vous êtes dans l'{ $team } ({ $count ->
    [one] 1 personne
   *[other] { $count } personnes
}). Le premier paquet de cartes arrive bientôt.
fresque-hand-title = { $count ->
    [0] Ma main : vide
    [one] Ma main : 1 carte
   *[other] Ma main : { $count } cartes
}
fresque-hand-empty = Toutes vos cartes sont sur la fresque.
fresque-board-title = { $count ->
    [0] Fresque de l'équipe : aucune carte
    [one] Fresque de l'équipe : 1 carte
   *[other] Fresque de l'équipe : { $count } cartes
}
fresque-board-hint = Du plus tôt (en haut) au plus tard (en bas). Glissez une carte par sa poignée ⠿, ou touchez-la pour la choisir puis la déplacer avec les boutons.
fresque-board-empty = Glissez ici une carte de votre main, ou touchez-la puis choisissez « Placer ».
fresque-drag-title = Glisser pour déplacer
fresque-card-board-label = { $term }, position { $n } sur { $total }
fresque-card-hand-label = { $term }, dans ma main
fresque-flip = Lire le dos de la carte
fresque-flip-label = Lire le dos de la carte « { $term } »
fresque-selected = « { $term } » est sélectionnée. Les boutons de déplacement sont en bas de l'écran.
fresque-position = position { $n } sur { $total }
fresque-in-hand = dans ma main
fresque-actions-label = Déplacer la carte sélectionnée
fresque-move-up = Monter
fresque-move-down = Descendre
fresque-move-first = En premier
fresque-move-last = En dernier
fresque-place-first = Placer en premier
fresque-place-last = Placer en dernier
fresque-after-label = Placer après…
fresque-after-first = Au début de la fresque
fresque-after-option = Après « { $term } »
fresque-move-here = Déplacer
fresque-place-here = Placer
fresque-return = Reprendre en main
fresque-deselect = Terminé
fresque-by-you = vous
fresque-new-card = Nouvelle carte
fresque-offline = Connexion perdue : ce déplacement n'a pas été envoyé.
fresque-announce-after = { $name } a placé « { $term } » après « { $after } ».
fresque-announce-first = { $name } a placé « { $term } » en premier.
fresque-announce-return = { $name } a repris « { $term } » en main.
fresque-announce-received = { $count ->
    [one] Vous avez reçu une carte.
   *[other] Vous avez reçu { $count } cartes.
}
fresque-announce-dealt = Nouveau paquet distribué : { $name }.
fresque-announce-team = Vous êtes dans l'{ $team }.

## Reveal and debrief
fresque-result-title = Résultat
fresque-score = Score { $percent } % (0 = hasard, 100 = référence) · { $agreeing } paires sur { $pairs } dans le bon ordre
fresque-score-none = Pas assez de cartes posées pour un score
fresque-verdict-green = bien placée
fresque-verdict-orange = { $count ->
    [one] 1 désaccord
   *[other] { $count } désaccords
}
fresque-verdict-red = { $count } désaccords
fresque-not-placed = pas posée
fresque-debrief-step = Étape { $n } sur { $total } · rang { $rank }
fresque-debatable = { $count ->
    [one] Discutable : aussi accepté au rang { $ranks }.
   *[other] Discutable : aussi accepté aux rangs { $ranks }.
}
fresque-reference-label = Ordre de référence

## Console
fresque-console-no-teams = Pas encore d'équipes
fresque-console-teams = { $count ->
    [one] 1 équipe
   *[other] { $count } équipes
}
fresque-form-legend = Former les équipes
fresque-form-again = Reformer les équipes (possible jusqu'au premier paquet)
fresque-form-by-count = Nombre d'équipes
fresque-form-by-size = Personnes par équipe
fresque-form-number = Nombre
fresque-form-submit = Former les équipes
fresque-deal = Distribuer le paquet { $n } sur { $total } : { $name }
fresque-deal-none = Tous les paquets sont distribués
fresque-reveal = Révéler les résultats
fresque-reveal-confirm = Tous les paquets n'ont pas été distribués. Révéler quand même ? Les fresques seront figées.
fresque-debrief-title = Débriefing :
fresque-debrief-start = Commencer le débriefing
fresque-debrief-prev = Carte précédente
fresque-debrief-next = Carte suivante
fresque-projector-label = À l'écran :
fresque-show-all = Toutes les équipes
fresque-move-member = Déplacer vers…
fresque-move-member-label = Déplacer { $name } vers une autre équipe
fresque-team-empty = Personne dans cette équipe pour l'instant.
fresque-unassigned = Sans équipe :

## Projector
fresque-wait-teams-screen = Les équipes vont être formées.

## Presence (console members, phone teammates)
fresque-here = présent·e
fresque-away = absent·e
fresque-teammates-title = Mon équipe
fresque-you-name = { $name } (vous)
fresque-away-cards = { $count ->
    [one] sa carte revient à l'équipe dans { $seconds } s
   *[other] ses { $count } cartes reviennent à l'équipe dans { $seconds } s
}
fresque-away-cards-soon = { $count ->
    [one] sa carte revient à l'équipe dans un instant
   *[other] ses { $count } cartes reviennent à l'équipe dans un instant
}
fresque-release = Rendre ses cartes maintenant
fresque-release-label = Rendre ses cartes maintenant ({ $name })
fresque-grace-label = Délai avant que les cartes d'une personne absente reviennent à l'équipe :
fresque-grace-now = aucun
fresque-grace-seconds = { $seconds } s
fresque-grace-minutes = { $minutes } min

## Reveal (issue 18): the podium, the teams' misplaced cards, the debrief card by card
fresque-hidden-until-reveal = Les frises des équipes restent cachées jusqu'au dévoilement.
fresque-percent = { $percent } %
fresque-score-short-none = pas de score
fresque-podium-title = Podium
fresque-place = { $place ->
    [1] 1re place
   *[other] { $place }e place
}
fresque-tied = (ex aequo)
fresque-your-team = (votre équipe)
fresque-your-place = { $place ->
    [1] 1re place
   *[other] { $place }e place
} sur { $teams ->
    [one] { $teams } équipe
   *[other] { $teams } équipes
}
fresque-reveal-teams-title = Les équipes
fresque-misplaced-count = { $count ->
    [0] Aucune carte mal placée
    [one] { $count } carte mal placée
   *[other] { $count } cartes mal placées
}
fresque-mark-misplaced = mal placée
fresque-right-teams = { $right ->
    [0] 0/{ $teams } : aucune équipe ne l'a bien placée
    [one] { $right }/{ $teams } équipe l'a bien placée
   *[other] { $right }/{ $teams } équipes l'ont bien placée
}
fresque-right-nobody = Aucune équipe ne l'a posée
fresque-misplaced-after = placée après « { $term } » par l'{ $team }
fresque-misplaced-first = placée en premier par l'{ $team }
fresque-worst-title = La carte la plus mal placée par votre équipe
fresque-worst-none = Aucune carte mal placée par votre équipe : bravo !
fresque-worst-yours-after = Votre équipe l'a posée en position { $n }, après « { $term } ».
fresque-worst-yours-first = Votre équipe l'a posée en premier.
fresque-worst-reference-after = La référence la place en position { $n } sur { $total }, après « { $term } ».
fresque-worst-reference-first = La référence la place en premier.
fresque-cards-debrief-title = Les cartes à discuter
fresque-cards-debrief-hint = Les plus mal placées d'abord. Une carte choisie s'affiche au projecteur.
fresque-card-show-label = Montrer « { $term } » dans le débriefing
fresque-cards-unplaced = { $count ->
    [one] Et { $count } carte qu'aucune équipe n'a posée (paquet non distribué).
   *[other] Et { $count } cartes qu'aucune équipe n'a posées (paquets non distribués).
}
