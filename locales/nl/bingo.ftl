## Open Badges-bingo (static/bingo.js)

## Shared
bingo-prizes-title = Prijzen
bingo-prize-first-line = Eerste rij
bingo-prize-two-lines = Twee rijen
bingo-prize-full-card = Volle kaart
bingo-prize-to-win = Nog te winnen
bingo-someone = Deelnemer { $id }
bingo-hardest-title = De moeilijkste begrippen
bingo-hardest-item = { $term }: { $percent } % gevonden
bingo-prize-when = Beurt { $step } · { $time }
bingo-prize-when-step = Beurt { $step }
bingo-countdown-left = { $seconds } s
bingo-countdown-over = De tijd is om

## Phone: grid and Bingo button
bingo-grid-label = Je bingokaart
bingo-cell-marked = gevonden
bingo-cell-missed = gemist
bingo-cell-wrong = fout antwoord voor deze omschrijving
bingo-cell-position = rij { $row }, kolom { $column }
bingo-claim = Bingo!
bingo-claim-hint-none = Vul een rij, een kolom of een diagonaal.
bingo-claim-hint-ready = Rij vol! Druk op ‘Bingo!’ ({ $prize }).
bingo-claim-hint-nothing = Rij vol, maar die prijs is al weg: ga voor de volgende!
bingo-claim-hint-keep-going = Goed zo! Speel verder voor de volgende prijs.
bingo-claim-sent = Bingo verstuurd… wordt nagekeken.
bingo-verdict-won = Bingo goedgekeurd! Je wint: { $prizes }.
bingo-verdict-none = Bingo klopt, maar die prijs was al weg.
bingo-verdict-false = Geen volle rij: bingo geweigerd.
bingo-prize-status-open = { $prize }: nog te winnen
bingo-prize-status-won = { $prize }: { $count ->
    [one] 1 winnaar
   *[other] { $count } winnaars
}
bingo-prize-status-mine = { $prize }: gewonnen!

## Phone: what to do now
bingo-phone-not-in-game = Je speelt niet mee met deze bingo. Herlaad de pagina of vraag het aan de begeleider.
bingo-phone-status = { $step ->
    [0] Bingo
   *[other] Omschrijving { $step }/25
} · { $marks ->
    [0] geen vakjes
    [one] 1 vakje
   *[other] { $marks } vakjes
} · { $lines ->
    [0] geen rijen
    [one] 1 rij
   *[other] { $lines } rijen
}
bingo-phone-status-listening = { $called ->
    [0] Nog geen begrip afgeroepen
    [one] 1 begrip afgeroepen
   *[other] { $called } begrippen afgeroepen
} · { $marks ->
    [0] geen vakjes
    [one] 1 vakje
   *[other] { $marks } vakjes
} · { $lines ->
    [0] geen rijen
    [one] 1 rij
   *[other] { $lines } rijen
}
bingo-phone-wait-first = De bingo begint zo.
bingo-phone-how = Luister naar elke omschrijving en tik op het begrip dat erbij past.
bingo-phone-listen = Omschrijving { $step }: welk begrip?
bingo-phone-tap-once = Tik op het juiste begrip. Eén antwoord per omschrijving.
bingo-phone-sending = Antwoord verstuurd…
bingo-phone-right = Juist!
bingo-phone-wrong = Mis voor deze omschrijving.
bingo-phone-wait-reveal = Het antwoord verschijnt zo op het scherm.
bingo-phone-revealed-found = Het was ‘{ $term }’: gevonden!
bingo-phone-revealed-missed = Het was ‘{ $term }’.
bingo-phone-wait-next = Wacht op de volgende omschrijving.
bingo-phone-paused = Pauze.
bingo-phone-paused-sub = Het spel gaat zo verder; je vakjes blijven bewaard.
bingo-phone-ended = De bingo is afgelopen.
bingo-phone-ended-sub = Bedankt! Dit is je resultaat.
bingo-phone-listening-start = Luister naar de uiteenzetting.
bingo-phone-listening-how = Wordt een begrip van je kaart afgeroepen? Tik erop.
bingo-phone-called = Afgeroepen: ‘{ $term }’
bingo-phone-summary-title = Jouw bingo
bingo-phone-summary = { $marks ->
    [one] 1 vakje gevonden
   *[other] { $marks } vakjes gevonden
} op 25, { $lines ->
    [0] geen volle rij.
    [one] 1 volle rij.
   *[other] { $lines } volle rijen.
}
bingo-phone-summary-prizes = Je prijzen: { $prizes }.
bingo-phone-summary-no-prize = Deze keer geen prijs, maar je kent nu alle begrippen!

## Phone: short messages when a cell cannot be played
bingo-notice-already-marked = Dit vakje is al gevonden.
bingo-notice-cell-closed = Dit vakje hoort bij een omschrijving die al voorbij is.
bingo-notice-no-definition = Wacht op de volgende omschrijving om te antwoorden.
bingo-notice-already-answered = Je hebt al geantwoord op deze omschrijving.
bingo-notice-not-called = ‘{ $term }’ is nog niet afgeroepen.
bingo-notice-offline = Geen verbinding: probeer het zo opnieuw.

## Phone: screen reader announcements
bingo-announce-drawn = Omschrijving { $step }: luister en tik dan op het begrip.
bingo-announce-right = Juist: { $term } is gevonden.
bingo-announce-wrong = Fout: het was niet { $term }.
bingo-announce-line = Rij vol: druk op Bingo!
bingo-announce-marked = { $term } is aangeduid.
bingo-announce-prize = { $prize }: { $count ->
    [one] 1 winnaar
   *[other] { $count } winnaars
}.
bingo-announce-resumed = Het spel gaat verder.

## Projector
bingo-screen-ready = De bingo begint zo
bingo-rule-grid = Op je gsm: een kaart met 25 begrippen, speciaal voor jou door elkaar gehaald.
bingo-rule-definition = Er wordt een omschrijving voorgelezen: tik op het begrip dat erbij past. Eén antwoord per omschrijving!
bingo-rule-listening = Tijdens de uiteenzetting worden begrippen afgeroepen: tik ze aan op je kaart.
bingo-rule-claim = Een rij, kolom of diagonaal vol? Druk op ‘Bingo!’.
bingo-screen-progress = { $step ->
    [0] { $total } omschrijvingen te ontdekken
   *[other] Omschrijving { $step }/{ $total }
}
bingo-screen-progress-listening = { $called ->
    [0] Nog geen begrip afgeroepen
    [one] 1 begrip afgeroepen van { $total }
   *[other] { $called } begrippen afgeroepen van { $total }
}
bingo-screen-answers = { $answered }/{ $of } antwoorden
bingo-screen-players = { $count ->
    [one] 1 speler
   *[other] { $count } spelers
}
bingo-screen-question = Welk begrip is het?
bingo-screen-answer = Het antwoord
bingo-screen-listen = Luister naar de omschrijving…
bingo-screen-found = { $found }/{ $of } vonden het · { $percent } %
bingo-screen-last-called = Laatst afgeroepen begrip
bingo-screen-paused = Pauze
bingo-screen-paused-sub = De bingo gaat zo verder.
bingo-screen-ended = Bingo afgelopen: goed gedaan, allemaal!
bingo-screen-winner = Bingo! { $name }: { $prize }
bingo-screen-sound-hint = Geluid aan: klik één keer op dit scherm om het toe te laten.

## Facilitator console
bingo-console-title = Bingo (omschrijvingen)
bingo-console-title-listening = Bingo (luisteren)
bingo-console-state-running = Bezig
bingo-console-state-paused = Gepauzeerd: de gsm's kunnen niet spelen.
bingo-console-state-ended = Afgelopen
bingo-console-start-help = Trek de eerste omschrijving zodra iedereen zijn kaart ziet.
bingo-console-definition = Omschrijving { $step } · nog { $remaining } te trekken
bingo-console-answer = Antwoord:
bingo-console-result = Gevonden door { $found } van { $of } ({ $percent } %) · { $answered ->
    [one] 1 antwoord
   *[other] { $answered } antwoorden
}
bingo-console-debrief-help = Voor de nabespreking, de uitleg bij elk begrip:
bingo-console-draw = Willekeurige omschrijving trekken
bingo-console-draw-next = Antwoord tonen en volgende trekken
bingo-console-reveal = Antwoord tonen
bingo-console-pick = Of kies de omschrijving
bingo-console-draw-picked = Deze trekken
bingo-console-call-label = Af te roepen begrippen
bingo-console-call-help = Tik op een begrip zodra het in de uiteenzetting valt.
bingo-console-called-count = { $called }/{ $total } begrippen afgeroepen
bingo-console-last-called = Laatst afgeroepen: { $term }
bingo-console-pause = Pauzeren
bingo-console-resume = Hervatten
bingo-console-end = Bingo beëindigen
bingo-console-end-question = De bingo voor iedereen beëindigen?
bingo-console-end-confirm = Ja, beëindigen
bingo-console-end-cancel = Annuleren
bingo-console-participants = Spelers
bingo-col-name = Naam
bingo-col-marks = Vakjes
bingo-col-lines = Rijen
bingo-col-claims = Bingo's
bingo-col-prizes = Prijzen
bingo-console-claims-refused = { $claims } (waarvan { $refused } geweigerd)
bingo-console-nobody = Nog niemand aangesloten.
bingo-console-prize-won = { $names } (beurt { $step })
bingo-console-refused = Geweigerde bingo's ({ $count })
bingo-console-refused-item = { $name }: geen volle rij (beurt { $step })
bingo-console-refused-none = Nog geen.
bingo-console-history = Getoonde antwoorden
bingo-console-history-item = { $term }: { $found }/{ $of } ({ $percent } %)
bingo-console-history-none = Nog geen.
bingo-console-no-stats = Er werd geen antwoord getoond.
bingo-console-claim-valid = { $name }: bingo goedgekeurd.
bingo-console-claim-false = { $name }: bingo geweigerd, geen volle rij.
bingo-console-countdown = Aftellen per definitie
bingo-console-countdown-off = Geen
bingo-console-countdown-seconds = { $seconds ->
    [one] 1 seconde
   *[other] { $seconds } seconden
}
bingo-console-sound = Geluid op de projector bij elke bingo
