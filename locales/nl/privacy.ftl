## Privacy page (/privacy)
privacy-link = Privacy
privacy-title = Je persoonsgegevens
privacy-intro = Atelier dient voor de workshops "Kennismaking met Open Badges". Het verzamelt alleen wat nodig is om te spelen en je badge te geven.
privacy-collect-title = Wat we verzamelen
privacy-collect-name = De voornaam of bijnaam die je intypt om aan te sluiten: die verschijnt op het scherm en staat in je badge.
privacy-collect-email = Een e-mailadres, alleen als je het in je badge wilt. De badge bevat dan alleen een gezouten (gehashte) vingerafdruk: je adres staat er niet leesbaar in.
privacy-collect-feedback = Je mening, als je die geeft: anoniem, bewaard zonder je naam, zonder e-mail en zonder identificatie, alleen met de datum.
privacy-collect-nothing-else = Niets anders: geen account, geen reclame, geen trackers. Je telefoon bewaart alleen een hervattingssleutel om terug in de workshop te komen als hij in slaap valt, en een taalcookie.
privacy-retention-title = Hoe lang
privacy-retention-text = Namen en e-mailadressen worden { $days } dagen na de sessie gewist (termijn gekozen door de organisator; standaard 90 dagen).
privacy-retention-feedback = De feedback blijft, want ze is anoniem: ze dient om de workshop te verbeteren.
privacy-retention-badge = De badge die je hebt gedownload blijft geldig na het wissen: hij is ondertekend en wordt gecontroleerd zonder onze gegevens.
privacy-access-title = Je gegevens bekijken en downloaden
privacy-access-text = Met de privélink van je badge (getoond op je telefoon bij het uitreiken van de badges, bewaar hem) kun je bekijken en downloaden wat over jou bewaard wordt, en je badge, zolang de bewaartermijn niet verstreken is.
privacy-erase-title = Wissen aanvragen
privacy-erase-text = Je kunt de organisator van de workshop ({ $organiser }) of je begeleider altijd vragen je gegevens te wissen: die wist ze vanuit de console. Vermeld de datum van de workshop en de naam die je had gekozen.
privacy-access-link = Mijn bewaarde gegevens bekijken (vanaf de telefoon die je tijdens de workshop gebruikte)
