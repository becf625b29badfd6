## Privacy page (/privacy)
privacy-link = Privacy
privacy-title = Your personal data
privacy-intro = Atelier runs the "Introduction to Open Badges" workshops. It collects only what is needed to play and to give you your badge.
privacy-collect-title = What we collect
privacy-collect-name = The first name or nickname you type to join: it shows on the projector and goes into your badge.
privacy-collect-email = An e-mail address, only if you want it in your badge. The badge then holds only a salted (hashed) fingerprint of it: your address does not appear in clear.
privacy-collect-feedback = Your feedback, if you give some: anonymous, stored without your name, e-mail or any identifier, dated to the day only.
privacy-collect-nothing-else = Nothing else: no account, no advertising, no trackers. Your phone only keeps a resume token to get back into the workshop after it sleeps, and a language cookie.
privacy-retention-title = For how long
privacy-retention-text = Names and e-mail addresses are erased { $days } days after the session (a period chosen by the organiser; 90 days by default).
privacy-retention-feedback = Feedback stays, since it is anonymous: it helps improve the workshop.
privacy-retention-badge = The badge you downloaded stays valid after the erasure: it is signed and verifies without our data.
privacy-access-title = See and download your data
privacy-access-text = Your badge's private link (shown on your phone when badges are handed out: keep it) lets you see and download what is stored about you, and your badge, until the retention period is over.
privacy-erase-title = Ask for erasure
privacy-erase-text = You can ask the workshop's organiser ({ $organiser }) or your facilitator to erase your data at any time: they erase it from their console. Give the date of the workshop and the name you chose.
privacy-access-link = See my stored data (from the phone used during the workshop)
