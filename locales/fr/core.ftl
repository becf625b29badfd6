## Shared
app-name = Atelier Open Badges
home-link = Accueil
lang-switch = Langue
sign-out = Se déconnecter
error-server = Erreur du serveur. Réessayez dans un instant.
error-refused = Requête refusée.
error-not-found = Page introuvable.
error-unknown-host = Ce serveur ne répond pas à ce nom. Utilisez son adresse, ou demandez à la personne qui l’a démarré d’ajouter ce nom avec --allow-host.
badge-public-erased = La page de ce badge a été retirée à la demande de son titulaire. Le badge lui-même, dans le fichier de son titulaire, reste valide.

## Connection banner and phases (scripts)
net-offline = Connexion perdue… reconnexion en cours. Vos réponses sont conservées.
net-back = Connexion rétablie.
phase-lobby = Accueil
phase-bingo = Bingo des Open Badges
phase-fresque = Fresque de la reconnaissance
phase-badges = Badges
phase-feedback = Votre avis
phase-closed = Atelier terminé

## Home and join
home-title = Atelier Open Badges
join-code-label = Code de l'atelier
join-button = Rejoindre
join-code-unknown = Ce code n'existe pas. Vérifiez les 6 caractères affichés à l'écran.
join-session-unknown = Aucun atelier n'a ce code.
facilitator-space = Espace animateur

## Phone
phone-name-label = Votre prénom ou pseudo
phone-enter = Entrer
phone-hello = Bonjour { $name } !
phone-waiting = Vous êtes dans l'atelier. L'animateur va bientôt commencer.
phone-now = En cours : { $phase }
phone-removed = L'animateur vous a retiré de l'atelier.
phone-erased = Votre nom et votre participation à cet atelier ont été effacés, comme demandé. Un badge que vous avez téléchargé reste valide.
phone-rejoin = Rejoindre à nouveau
phone-name-taken = « { $name } » est déjà dans cet atelier. Si c’est vous, sur un autre téléphone, reprenez votre place ; sinon, choisissez un autre nom (par exemple avec l’initiale de votre nom).
phone-reclaim = C’est moi : reprendre ma place
phone-use-suggestion = Entrer comme « { $name } »
phone-reclaim-waiting = Demande envoyée : l’animateur confirme que vous êtes « { $name } », puis vous retrouvez votre place.
phone-reclaim-cancel = Annuler
phone-reclaim-refused = L’animateur n’a pas confirmé cette reprise. Choisissez un autre nom.
phone-replaced = Votre place a été reprise sur un autre téléphone.
phone-closed = L'atelier est terminé. Merci pour votre participation !

## Sign-in
login-title = Espace animateur
login-username = Nom d'utilisateur
login-password = Mot de passe
login-submit = Se connecter
login-slow-down = Trop d'essais manqués. Patientez quelques minutes.
login-busy = Beaucoup de personnes se connectent en même temps. Réessayez dans un instant.
login-failed = Nom d'utilisateur ou mot de passe incorrect.
signin-title = Créer le compte organisateur
signin-intro = Ce lien ne sert qu'une fois. Le compte organisateur gère les animateurs et les exports.
signin-password = Mot de passe (12 caractères au moins, difficile à deviner)
password-too-short = Le mot de passe doit compter au moins 12 caractères.
password-too-long = Le mot de passe doit compter au plus 256 caractères.
password-too-weak = Ce mot de passe est trop facile à deviner. Utilisez plusieurs mots sans rapport entre eux, ou un gestionnaire de mots de passe.
signin-submit = Créer le compte
signin-used = Ce lien a déjà servi ou n'existe pas.
signin-username-bad = Choisissez un nom d'utilisateur (60 caractères au plus).
username-taken = Ce nom d'utilisateur est déjà pris.

## Facilitator dashboard
dashboard-title = Mes ateliers
dashboard-new = Nouvel atelier
dashboard-session-title = Titre
dashboard-default-title = Sensibilisation aux Open Badges
dashboard-lang = Langue
dashboard-deck = Jeu de cartes
dashboard-activities = Activités
activities-bingo-fresque = Bingo puis fresque
activities-fresque-bingo = Fresque puis bingo
activities-bingo = Bingo seul
activities-fresque = Fresque seule
activities-none = Aucune (badges seulement)
dashboard-bingo-mode = Bingo
bingo-mode-definition = L'animateur lit des définitions
bingo-mode-listening = Écoute : les termes sont appelés pendant l'exposé
dashboard-packs = Fresque : paquets
dashboard-achievement = Badge délivré
dashboard-achievement-auto = Le badge de l'atelier, selon les activités choisies
dashboard-achievement-hint = Le badge dit ce que les participants ont fait : une session de bingo seul ne mentionne pas la fresque.
dashboard-max-participants = Nombre maximal de participants
dashboard-max-participants-hint = Au-delà, les téléphones apprennent que la session est complète. Vous pouvez aussi fermer les inscriptions depuis la console.
packs-three = Trois paquets
packs-two = Deux paquets
dashboard-create = Créer l'atelier
dashboard-sessions = Ateliers
dashboard-empty = Aucun atelier pour l'instant.
organiser-link = Organisation
not-your-session = Aucun de vos ateliers n'a ce code.

## Console
console-title = Console de l'animateur
console-join = Rejoindre
console-code = Code :
console-qr-alt = QR code vers { $url }
console-open-screen = Ouvrir l'écran de projection
console-flow = Déroulé
console-phase = Phase :
console-next = Phase suivante
console-lobby = Retour à l'accueil
console-participants = Participants
console-online = connecté
console-offline = hors ligne
console-reclaims = Reprises de place demandées
console-reclaim-request = Un nouveau téléphone dit être « { $name } ». Confirmez seulement si la personne est bien là, devant vous.
console-reclaim-accept = Confirmer : c’est { $name }
console-reclaim-refuse = Refuser
console-away = absent·e depuis { $since }
console-connected = { $connected ->
    [one] { $connected } connecté·e sur { $total }
   *[other] { $connected } connecté·es sur { $total }
}
console-remove = Retirer
console-remove-label = Retirer { $name }
console-remove-confirm = Retirer { $name } de l'atelier ?

## Projector
screen-join-on = Rejoignez sur { $host }
screen-participants = { $count ->
    [one] { $count } participant
   *[other] { $count } participants
}
screen-away = absent·e

## Organiser
organiser-title = Organisation
organiser-only = Réservé aux organisateurs.
organiser-accounts = Comptes animateurs
organiser-new-username = Nouvel animateur : nom d'utilisateur
organiser-create = Créer le compte
organiser-created = Compte « { $name } » créé.
organiser-username-bad = Nom d'utilisateur : 1 à 60 caractères.
role-organiser = organisateur
role-facilitator = animateur
## Dates as people read them
date-time = { $day } { $month } { $year }, { $time } UTC
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
console-joining-close = Fermer les inscriptions
console-joining-open = Rouvrir les inscriptions
console-joining-closed = Inscriptions fermées : seuls ceux qui ont rejoint peuvent revenir.
console-joining-full = { $count } places prises sur { $max }.
join-slow-down = Trop de codes erronés depuis ce réseau. Patientez quelques minutes, ou scannez le code affiché à l’écran.
# Error frames' codes, as the pages show them (static/i18n.js errorText).
code-bad_json = Le message n’a pas pu être lu. Rechargez la page.
code-missing_type = Le message n’a pas pu être lu. Rechargez la page.
code-unknown_type = Cette page n’est plus à jour. Rechargez-la.
code-bad_fields = Cette page n’est plus à jour. Rechargez-la.
code-binary_frame = Le message n’a pas pu être lu. Rechargez la page.
code-unknown_code = Aucune session n’a ce code. Vérifiez-le à l’écran.
code-bad_name = Choisissez un nom de 1 à 40 caractères, d’un seul alphabet par mot.
code-unknown_token = La place de ce téléphone dans la session n’existe plus : rejoignez-la à nouveau.
code-removed = L’animateur vous a retiré de la session.
code-session_closed = Cette session est terminée.
code-joining_closed = L’animateur a fermé les inscriptions à cette session.
code-session_full = Cette session est complète : adressez-vous à l’animateur.
code-unauthorized = Votre connexion a expiré : reconnectez-vous.
code-forbidden = Vous ne pouvez pas faire cela.
code-read_only = Le projecteur ne fait qu’afficher la session.
code-storage_unavailable = Le serveur n’a pas pu l’enregistrer. Réessayez dans un instant.
code-busy = Le serveur est occupé. Réessayez dans un instant.
code-rate_limited = Trop de messages à la fois. Patientez un instant.
code-internal = Erreur du serveur. Réessayez dans un instant.
code-no_such_activity = Cette session n’a pas cette activité.
code-already_in_phase = La session y est déjà.
code-unknown_participant = Ce participant n’est pas dans la session.
code-not_now = Pas maintenant : cette activité n’est pas en cours.
code-no_such_game = Cette session ne comprend pas ce jeu.
code-invalid = Vérifiez ce que vous avez saisi.
code-other = Le serveur a refusé ({ $code }).
console-end-confirm = Terminer { $activity } maintenant, en cours de partie ? Rien n’est perdu : « Revenir à { $activity } » dans ce panneau y retourne.
console-back-to = Revenir à { $activity }
code-name_taken = Ce nom est déjà pris dans cet atelier.
code-unknown_name = Personne dans cet atelier n’a ce nom.
code-waiting = L’animateur n’a pas encore répondu.
code-unknown_request = Cette demande a été retirée ou a déjà reçu une réponse.
code-presence_unchanged = Rien à changer.
code-not_away = Cette personne n’est pas absente.
code-empty_hand = Cette personne n’a pas de carte.
code-invalid_grace = Le délai va de 0 à 600 secondes.
