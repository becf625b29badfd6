## Shared
app-name = Atelier Open Badges
home-link = Startpagina
lang-switch = Taal
sign-out = Afmelden
error-server = Serverfout. Probeer het zo dadelijk opnieuw.
error-refused = Verzoek geweigerd.
error-not-found = Pagina niet gevonden.
error-unknown-host = Deze server antwoordt niet op die naam. Gebruik zijn adres, of vraag wie hem startte de naam toe te voegen met --allow-host.
badge-public-erased = De pagina van deze badge is op verzoek van de houder verwijderd. De badge zelf, in het bestand van de houder, blijft geldig.

## Connection banner and phases (scripts)
net-offline = Verbinding verbroken… we maken opnieuw verbinding. Je antwoorden blijven bewaard.
net-back = Verbinding hersteld.
phase-lobby = Onthaal
phase-bingo = Open Badges-bingo
phase-fresque = Fresco van de erkenning
phase-badges = Badges
phase-feedback = Jouw mening
phase-closed = Workshop afgelopen

## Home and join
home-title = Atelier Open Badges
join-code-label = Code van de workshop
join-button = Deelnemen
join-code-unknown = Deze code bestaat niet. Controleer de 6 tekens op het scherm.
join-session-unknown = Geen workshop heeft deze code.
facilitator-space = Voor begeleiders

## Phone
phone-name-label = Je voornaam of schuilnaam
phone-enter = Binnengaan
phone-hello = Hallo { $name }!
phone-waiting = Je bent in de workshop. De begeleider begint zo meteen.
phone-now = Nu bezig: { $phase }
phone-removed = De begeleider heeft je uit de workshop verwijderd.
phone-erased = Je naam en je deelname aan deze workshop zijn gewist, zoals gevraagd. Een badge die je hebt gedownload, blijft geldig.
phone-rejoin = Opnieuw deelnemen
phone-name-taken = „{ $name }” doet al mee aan deze workshop. Ben jij het, op een andere telefoon? Neem dan je plaats terug; kies anders een andere naam (bijvoorbeeld met de initiaal van je achternaam).
phone-reclaim = Dat ben ik: mijn plaats terugnemen
phone-use-suggestion = Meedoen als „{ $name }”
phone-reclaim-waiting = Verzoek verstuurd: de begeleider bevestigt dat jij „{ $name }” bent, daarna krijg je je plaats terug.
phone-reclaim-cancel = Annuleren
phone-reclaim-refused = De begeleider heeft dit niet bevestigd. Kies een andere naam.
phone-replaced = Je plaats is op een andere telefoon teruggenomen.
phone-closed = De workshop is afgelopen. Bedankt voor je deelname!

## Sign-in
login-title = Voor begeleiders
login-username = Gebruikersnaam
login-password = Wachtwoord
login-submit = Aanmelden
login-slow-down = Te veel mislukte pogingen. Wacht enkele minuten.
login-busy = Veel mensen melden zich tegelijk aan. Probeer het zo dadelijk opnieuw.
login-failed = Verkeerde gebruikersnaam of wachtwoord.
signin-title = Het organisatoraccount aanmaken
signin-intro = Deze link werkt maar één keer. Het organisatoraccount beheert de begeleiders en de exports.
signin-password = Wachtwoord (minstens 12 tekens, moeilijk te raden)
password-too-short = Het wachtwoord moet minstens 12 tekens hebben.
password-too-long = Het wachtwoord mag hoogstens 256 tekens hebben.
password-too-weak = Dit wachtwoord is te makkelijk te raden. Gebruik enkele losse woorden, of een wachtwoordbeheerder.
signin-submit = Account aanmaken
signin-used = Deze link is al gebruikt of bestaat niet.
signin-username-bad = Kies een gebruikersnaam (hoogstens 60 tekens).
username-taken = Deze gebruikersnaam is al in gebruik.

## Facilitator dashboard
dashboard-title = Mijn workshops
dashboard-new = Nieuwe workshop
dashboard-session-title = Titel
dashboard-default-title = Kennismaking met Open Badges
dashboard-lang = Taal
dashboard-deck = Kaartspel
dashboard-activities = Activiteiten
activities-bingo-fresque = Bingo en dan fresco
activities-fresque-bingo = Fresco en dan bingo
activities-bingo = Alleen bingo
activities-fresque = Alleen fresco
activities-none = Geen (alleen badges)
dashboard-bingo-mode = Bingo
bingo-mode-definition = De begeleider leest definities voor
bingo-mode-listening = Luisteren: de termen worden tijdens de uiteenzetting afgeroepen
dashboard-packs = Fresco: pakken
dashboard-achievement = Uitgereikte badge
dashboard-achievement-auto = De badge van de workshop, volgens de gekozen activiteiten
dashboard-achievement-hint = De badge zegt wat de deelnemers deden: een sessie met alleen bingo vermeldt het fresco niet.
dashboard-max-participants = Maximaal aantal deelnemers
dashboard-max-participants-hint = Daarboven horen telefoons dat de sessie vol is. U kunt aanmelden ook sluiten vanuit de console.
packs-three = Drie pakken
packs-two = Twee pakken
dashboard-create = Workshop aanmaken
dashboard-sessions = Workshops
dashboard-empty = Nog geen workshops.
organiser-link = Organisatie
not-your-session = Geen van je workshops heeft deze code.

## Console
console-title = Console van de begeleider
console-join = Deelnemen
console-code = Code:
console-qr-alt = QR-code naar { $url }
console-open-screen = Projectiescherm openen
console-flow = Verloop
console-phase = Fase:
console-next = Volgende fase
console-lobby = Terug naar het onthaal
console-participants = Deelnemers
console-online = verbonden
console-offline = offline
console-reclaims = Gevraagde plaatsovernames
console-reclaim-request = Een nieuwe telefoon zegt „{ $name }” te zijn. Bevestig alleen als die persoon echt voor je staat.
console-reclaim-accept = Bevestigen: dit is { $name }
console-reclaim-refuse = Weigeren
console-away = afwezig sinds { $since }
console-connected = { $connected } van { $total } verbonden
console-remove = Verwijderen
console-remove-label = { $name } verwijderen
console-remove-confirm = { $name } uit de workshop verwijderen?

## Projector
screen-join-on = Doe mee op { $host }
screen-participants = { $count ->
    [one] { $count } deelnemer
   *[other] { $count } deelnemers
}
screen-away = afwezig

## Organiser
organiser-title = Organisatie
organiser-only = Alleen voor organisatoren.
organiser-accounts = Accounts van begeleiders
organiser-new-username = Nieuwe begeleider: gebruikersnaam
organiser-create = Account aanmaken
organiser-created = Account “{ $name }” aangemaakt.
organiser-username-bad = Gebruikersnaam: 1 tot 60 tekens.
role-organiser = organisator
role-facilitator = begeleider
## Dates as people read them
date-time = { $day } { $month } { $year }, { $time } UTC
month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
console-joining-close = Aanmelden sluiten
console-joining-open = Aanmelden heropenen
console-joining-closed = Aanmelden is gesloten: alleen wie al meedeed kan terugkomen.
console-joining-full = { $count } van { $max } plaatsen bezet.
join-slow-down = Te veel foute codes vanaf dit netwerk. Wacht enkele minuten, of scan de code op het scherm.
# Error frames' codes, as the pages show them (static/i18n.js errorText).
code-bad_json = Het bericht kon niet gelezen worden. Herlaad de pagina.
code-missing_type = Het bericht kon niet gelezen worden. Herlaad de pagina.
code-unknown_type = Deze pagina is verouderd. Herlaad ze.
code-bad_fields = Deze pagina is verouderd. Herlaad ze.
code-binary_frame = Het bericht kon niet gelezen worden. Herlaad de pagina.
code-unknown_code = Geen enkele sessie heeft deze code. Controleer hem op het scherm.
code-bad_name = Kies een naam van 1 tot 40 tekens, met één alfabet per woord.
code-unknown_token = De plaats van deze telefoon in de sessie bestaat niet meer: neem opnieuw deel.
code-removed = De begeleider heeft u uit de sessie verwijderd.
code-session_closed = Deze sessie is afgelopen.
code-joining_closed = De begeleider heeft het aanmelden voor deze sessie gesloten.
code-session_full = Deze sessie is vol: vraag het de begeleider.
code-unauthorized = Uw aanmelding is verlopen: meld u opnieuw aan.
code-forbidden = Dat mag u niet doen.
code-read_only = De projector toont de sessie alleen.
code-storage_unavailable = De server kon dit niet bewaren. Probeer het zo dadelijk opnieuw.
code-busy = De server is bezet. Probeer het zo dadelijk opnieuw.
code-rate_limited = Te veel berichten tegelijk. Wacht even.
code-internal = Serverfout. Probeer het zo dadelijk opnieuw.
code-no_such_activity = Deze sessie heeft die activiteit niet.
code-already_in_phase = De sessie is daar al.
code-unknown_participant = Deze deelnemer zit niet in de sessie.
code-not_now = Nu niet: deze activiteit is niet bezig.
code-no_such_game = Deze sessie speelt dat spel niet.
code-invalid = Controleer wat u invulde.
code-other = De server weigerde dit ({ $code }).
console-end-confirm = { $activity } nu beëindigen, terwijl het bezig is? Niets gaat verloren: ‘Terug naar { $activity }’ in dit paneel keert ernaar terug.
console-back-to = Terug naar { $activity }
code-name_taken = Deze naam is al in gebruik in deze workshop.
code-unknown_name = Niemand in deze workshop heeft deze naam.
code-waiting = De begeleider heeft nog niet geantwoord.
code-unknown_request = Dit verzoek is ingetrokken of al beantwoord.
code-presence_unchanged = Niets te veranderen.
code-not_away = Deze persoon is niet afwezig.
code-empty_hand = Deze persoon heeft geen kaarten.
code-invalid_grace = De termijn is 0 tot 600 seconden.
