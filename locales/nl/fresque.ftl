## Fresco van de erkenning (static/fresque.js): gsm, console en projectie

fresque-team-name = Team { $n }
fresque-pack-n = Pak { $n }
fresque-someone = Iemand van je team
fresque-competence = Te erkennen competentie:
fresque-no-pack-yet = { $total ->
    [one] Eén pak te ontvangen
   *[other] { $total } pakken te ontvangen
}
fresque-pack-progress = Pak { $n } van { $total }: { $name }
fresque-placed-of = { $dealt ->
    [one] { $placed } van { $dealt } kaart gelegd
   *[other] { $placed } van { $dealt } kaarten gelegd
}
fresque-pool = { $count ->
    [one] { $count } kaart wacht op een teamlid
   *[other] { $count } kaarten wachten op een teamlid
}
fresque-hand-count = { $count ->
    [0] geen kaarten in de hand
    [one] 1 kaart in de hand
   *[other] { $count } kaarten in de hand
}

## Phone
fresque-wait-teams = Het fresco begint zo: de begeleider vormt de teams.
fresque-no-team = Je zit nog niet in een team. De begeleider wijst je er een toe.
fresque-wait-pack = Je zit in { $team } ({ $count ->
    [one] 1 persoon
   *[other] { $count } personen
}). Het eerste pak kaarten komt er zo aan.
fresque-hand-title = { $count ->
    [0] Mijn hand: leeg
    [one] Mijn hand: 1 kaart
   *[other] Mijn hand: { $count } kaarten
}
fresque-hand-empty = Al je kaarten liggen op het fresco.
fresque-board-title = { $count ->
    [0] Fresco van het team: geen kaarten
    [one] Fresco van het team: 1 kaart
   *[other] Fresco van het team: { $count } kaarten
}
fresque-board-hint = Van het vroegste (boven) tot het laatste (onder). Sleep een kaart aan haar handvat ⠿, of tik erop om ze te kiezen en verplaats ze dan met de knoppen.
fresque-board-empty = Sleep hier een kaart uit je hand, of tik erop en kies ‘Leggen’.
fresque-drag-title = Slepen om te verplaatsen
fresque-card-board-label = { $term }, plaats { $n } van { $total }
fresque-card-hand-label = { $term }, in mijn hand
fresque-flip = De achterkant van de kaart lezen
fresque-flip-label = De achterkant van de kaart ‘{ $term }’ lezen
fresque-selected = ‘{ $term }’ is gekozen. De knoppen om ze te verplaatsen staan onderaan het scherm.
fresque-position = plaats { $n } van { $total }
fresque-in-hand = in mijn hand
fresque-actions-label = De gekozen kaart verplaatsen
fresque-move-up = Omhoog
fresque-move-down = Omlaag
fresque-move-first = Als eerste
fresque-move-last = Als laatste
fresque-place-first = Als eerste leggen
fresque-place-last = Als laatste leggen
fresque-after-label = Leggen na…
fresque-after-first = Aan het begin van het fresco
fresque-after-option = Na ‘{ $term }’
fresque-move-here = Verplaatsen
fresque-place-here = Leggen
fresque-return = Terug in de hand
fresque-deselect = Klaar
fresque-by-you = jij
fresque-new-card = Nieuwe kaart
fresque-offline = Verbinding verbroken: deze verplaatsing is niet verstuurd.
fresque-announce-after = { $name } legde ‘{ $term }’ na ‘{ $after }’.
fresque-announce-first = { $name } legde ‘{ $term }’ als eerste.
fresque-announce-return = { $name } nam ‘{ $term }’ terug in de hand.
fresque-announce-received = { $count ->
    [one] Je hebt een kaart gekregen.
   *[other] Je hebt { $count } kaarten gekregen.
}
fresque-announce-dealt = Nieuw pak uitgedeeld: { $name }.
fresque-announce-team = Je zit in { $team }.

## Reveal and debrief
fresque-result-title = Resultaat
fresque-score = Score { $percent } % (0 = toeval, 100 = referentie) · { $agreeing } van { $pairs } paren in de juiste volgorde
fresque-score-none = Te weinig kaarten gelegd voor een score
fresque-verdict-green = goed gelegd
fresque-verdict-orange = { $count ->
    [one] 1 onenigheid
   *[other] { $count } onenigheden
}
fresque-verdict-red = { $count } onenigheden
fresque-not-placed = niet gelegd
fresque-debrief-step = Stap { $n } van { $total } · rang { $rank }
fresque-debatable = { $count ->
    [one] Betwistbaar: ook rang { $ranks } wordt aanvaard.
   *[other] Betwistbaar: ook de rangen { $ranks } worden aanvaard.
}
fresque-reference-label = Referentievolgorde

## Console
fresque-console-no-teams = Nog geen teams
fresque-console-teams = { $count ->
    [one] 1 team
   *[other] { $count } teams
}
fresque-form-legend = Teams vormen
fresque-form-again = Teams opnieuw vormen (kan tot het eerste pak)
fresque-form-by-count = Aantal teams
fresque-form-by-size = Personen per team
fresque-form-number = Aantal
fresque-form-submit = Teams vormen
fresque-deal = Pak { $n } van { $total } uitdelen: { $name }
fresque-deal-none = Alle pakken zijn uitgedeeld
fresque-reveal = Resultaten tonen
fresque-reveal-confirm = Nog niet alle pakken zijn uitgedeeld. Toch de resultaten tonen? De fresco's worden dan vastgezet.
fresque-debrief-title = Nabespreking:
fresque-debrief-start = Nabespreking starten
fresque-debrief-prev = Vorige kaart
fresque-debrief-next = Volgende kaart
fresque-projector-label = Op het scherm:
fresque-show-all = Alle teams
fresque-move-member = Verplaatsen naar…
fresque-move-member-label = { $name } naar een ander team verplaatsen
fresque-team-empty = Nog niemand in dit team.
fresque-unassigned = Zonder team:

## Projector
fresque-wait-teams-screen = De teams worden zo gevormd.

## Presence (console members, phone teammates)
fresque-here = aanwezig
fresque-away = afwezig
fresque-teammates-title = Mijn team
fresque-you-name = { $name } (jij)
fresque-away-cards = { $count ->
    [one] de kaart gaat over { $seconds } s naar het team
   *[other] de { $count } kaarten gaan over { $seconds } s naar het team
}
fresque-away-cards-soon = { $count ->
    [one] de kaart gaat zo meteen naar het team
   *[other] de { $count } kaarten gaan zo meteen naar het team
}
fresque-release = Kaarten nu aan het team geven
fresque-release-label = Kaarten nu aan het team geven ({ $name })
fresque-grace-label = Wachttijd voordat de kaarten van een afwezige naar het team gaan:
fresque-grace-now = geen
fresque-grace-seconds = { $seconds } s
fresque-grace-minutes = { $minutes } min

## Reveal (issue 18): the podium, the teams' misplaced cards, the debrief card by card
fresque-hidden-until-reveal = De tijdlijnen van de teams blijven verborgen tot de onthulling.
fresque-percent = { $percent } %
fresque-score-short-none = geen score
fresque-podium-title = Podium
fresque-place = { $place }e plaats
fresque-tied = (gedeeld)
fresque-your-team = (jouw team)
fresque-your-place = { $place }e plaats van { $teams ->
    [one] { $teams } team
   *[other] { $teams } teams
}
fresque-reveal-teams-title = De teams
fresque-misplaced-count = { $count ->
    [0] Geen verkeerd gelegde kaarten
    [one] { $count } verkeerd gelegde kaart
   *[other] { $count } verkeerd gelegde kaarten
}
fresque-mark-misplaced = verkeerd gelegd
fresque-right-teams = { $right ->
    [0] 0/{ $teams }: geen enkel team legde de kaart goed
    [one] { $right }/{ $teams } team legde de kaart goed
   *[other] { $right }/{ $teams } teams legden de kaart goed
}
fresque-right-nobody = Geen enkel team legde deze kaart
fresque-misplaced-after = door { $team } na “{ $term }” gelegd
fresque-misplaced-first = door { $team } als eerste gelegd
fresque-worst-title = De kaart die jouw team het meest verkeerd legde
fresque-worst-none = Jouw team legde geen enkele kaart verkeerd: bravo!
fresque-worst-yours-after = Jouw team legde ze op plaats { $n }, na “{ $term }”.
fresque-worst-yours-first = Jouw team legde ze als eerste.
fresque-worst-reference-after = De referentie legt ze op plaats { $n } van { $total }, na “{ $term }”.
fresque-worst-reference-first = De referentie legt ze als eerste.
fresque-cards-debrief-title = Kaarten om te bespreken
fresque-cards-debrief-hint = De meest verkeerd gelegde eerst. Een gekozen kaart verschijnt op de projector.
fresque-card-show-label = Toon “{ $term }” in de nabespreking
fresque-cards-unplaced = { $count ->
    [one] En { $count } kaart die geen enkel team legde (pak niet uitgedeeld).
   *[other] En { $count } kaarten die geen enkel team legde (pakken niet uitgedeeld).
}
