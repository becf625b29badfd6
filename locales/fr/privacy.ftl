## Privacy page (/privacy)
privacy-link = Confidentialité
privacy-title = Vos données personnelles
privacy-intro = Atelier sert aux ateliers « Sensibilisation aux Open Badges ». Il ne collecte que le strict nécessaire pour jouer et vous remettre votre badge.
privacy-collect-title = Ce que nous collectons
privacy-collect-name = Le prénom ou pseudo que vous tapez pour entrer dans l'atelier : il s'affiche au projecteur et figure dans votre badge.
privacy-collect-email = Une adresse e-mail, seulement si vous voulez qu'elle figure dans votre badge. Le badge n'en contient alors qu'une empreinte salée (hachée) : votre adresse n'y apparaît pas en clair.
privacy-collect-feedback = Votre avis, si vous en donnez un : anonyme, enregistré sans votre nom, sans e-mail et sans identifiant, daté du jour seulement.
privacy-collect-nothing-else = Rien d'autre : pas de compte, pas de publicité, pas de pisteur. Votre téléphone garde seulement un jeton de reprise pour revenir dans l'atelier s'il se met en veille, et un cookie de langue.
privacy-retention-title = Combien de temps
privacy-retention-text = Les noms et les adresses e-mail sont effacés { $days } jours après la session (durée choisie par l'organisateur ; 90 jours par défaut).
privacy-retention-feedback = Les avis restent, car ils sont anonymes : ils servent à améliorer l'atelier.
privacy-retention-badge = Le badge que vous avez téléchargé reste valide après l'effacement : il est signé et se vérifie sans nos données.
privacy-access-title = Voir et télécharger vos données
privacy-access-text = Le lien privé de votre badge (affiché sur votre téléphone à la remise des badges, gardez-le) vous permet de revoir et de télécharger ce qui est enregistré à votre sujet, et votre badge, tant que la durée de conservation n'est pas écoulée.
privacy-erase-title = Demander l'effacement
privacy-erase-text = Vous pouvez demander à tout moment l'effacement de vos données à l'organisateur de l'atelier ({ $organiser }) ou à votre animateur : il les efface depuis sa console. Indiquez la date de l'atelier et le nom que vous aviez choisi.
privacy-access-link = Voir mes données enregistrées (depuis le téléphone utilisé pendant l'atelier)
