## My data (right of access)
me-title = Mijn gegevens
me-intro = Dit bewaart Atelier van je deelnames met deze smartphone. Vraag de organisator van de workshop om ze te wissen.
me-nothing = Deze smartphone nam aan geen workshop deel, of de gegevens zijn al gewist.
me-session = Workshop
me-name = Getoonde naam
me-badge-name = Naam in de badge
me-badge-status = Badge
me-feedback = Feedback
me-feedback-anonymous = anoniem: bewaard zonder je naam, niet aan jou te koppelen
me-retention = Bewaring
me-retention-days = namen gewist { $days } dagen na de workshop
me-download = Mijn gegevens downloaden (JSON)
me-privacy = Persoonsgegevens
me-badge-pending = wacht op de begeleider
me-badge-approved = wordt ondertekend
me-badge-refused = geweigerd
me-badge-issued = uitgereikt
