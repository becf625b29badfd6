## Feedback: the phone's form (static/feedback.js)
feedback-title = Jouw mening
feedback-intro = Feedback? Beoordeel de workshop en laat een opmerking achter om ons te helpen hem te verbeteren. Het is anoniem: je naam wordt niet bij je mening bewaard.
feedback-overall = Hoe vond je de workshop in het algemeen?
feedback-activity = { $activity }: jouw score
feedback-optional = (optioneel)
feedback-rating-1 = Helemaal niet
feedback-rating-2 = Matig
feedback-rating-3 = Gemiddeld
feedback-rating-4 = Goed
feedback-rating-5 = Uitstekend
feedback-comment = Een opmerking om ons te helpen de workshop te verbeteren?
feedback-count = { $count } / { $max } tekens
feedback-count-over = { $over } tekens te veel
feedback-count-left = Nog { $left } tekens mogelijk.
feedback-send = Mijn mening versturen
feedback-sending = Versturen…
feedback-thanks-title = Bedankt!
feedback-thanks = Je mening is goed aangekomen. Ze helpt ons de workshop te verbeteren.
feedback-error-overall = Kies een totaalscore van 1 tot 5.
feedback-error-invalid_rating = Een score is een geheel getal van 1 tot 5.
feedback-error-unknown_activity = Deze activiteit hoort niet bij de workshop.
feedback-error-comment_too_long = De opmerking is te lang: hoogstens 2.000 tekens.
feedback-error-already_given = Je hebt je mening al gegeven. Bedankt!
feedback-error-not_yet = Het formulier opent na het uitreiken van de badges. Even geduld…
feedback-error-unknown_token = Deze telefoon hoort niet meer bij de workshop: sluit opnieuw aan om je mening te geven.
feedback-error-network = Geen verbinding. Je mening is niet verloren: probeer het zo opnieuw.
feedback-error-other = Versturen is mislukt. Probeer het zo opnieuw.
feedback-privacy = Je gegevens en je rechten

## Feedback on the projector and the console
feedback-stats-title = Jullie mening
feedback-stats-count = { $count ->
    [0] Nog geen reacties
    [one] 1 reactie
   *[other] { $count } reacties
}
feedback-stats-average = Gemiddelde score: { $average } / 5
feedback-comments-title = Jullie opmerkingen
feedback-comments-show = Opmerkingen op het scherm tonen
feedback-comments-hide = Opmerkingen van het scherm halen
feedback-comments-none = Nog geen opmerkingen.
feedback-comments-shown = De opmerkingen staan op het scherm.
feedback-comments-hidden = De opmerkingen zijn verborgen.
feedback-comments-failed = Het tonen van de opmerkingen kon niet worden gewijzigd.
