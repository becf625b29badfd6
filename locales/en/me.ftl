## My data (right of access)
me-title = My data
me-intro = This is what Atelier keeps of your participations from this phone. To have it erased, ask the workshop's organiser.
me-nothing = This phone took part in no workshop, or its data was already erased.
me-session = Workshop
me-name = Display name
me-badge-name = Name in the badge
me-badge-status = Badge
me-feedback = Feedback
me-feedback-anonymous = anonymous: stored without your name, it cannot be linked to you
me-retention = Retention
me-retention-days = names erased { $days } days after the workshop
me-download = Download my data (JSON)
me-privacy = Personal data
me-badge-pending = waiting for the facilitator
me-badge-approved = being signed
me-badge-refused = refused
me-badge-issued = issued
