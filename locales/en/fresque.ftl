## Recognition timeline (static/fresque.js): phone, console and projector

fresque-team-name = Team { $n }
fresque-pack-n = Pack { $n }
fresque-someone = Someone in your team
fresque-competence = Competence to recognise:
fresque-no-pack-yet = { $total ->
    [one] One pack to come
   *[other] { $total } packs to come
}
fresque-pack-progress = Pack { $n } of { $total }: { $name }
fresque-placed-of = { $dealt ->
    [one] { $placed } of { $dealt } card placed
   *[other] { $placed } of { $dealt } cards placed
}
fresque-pool = { $count ->
    [one] { $count } card waiting for a member
   *[other] { $count } cards waiting for a member
}
fresque-hand-count = { $count ->
    [0] no cards in hand
    [one] 1 card in hand
   *[other] { $count } cards in hand
}

## Phone
fresque-wait-teams = The timeline is about to start: the facilitator is forming the teams.
fresque-no-team = You are not in a team yet. The facilitator will give you one.
fresque-wait-pack = You are in { $team } ({ $count ->
    [one] 1 person
   *[other] { $count } people
}). The first pack of cards is coming soon.
fresque-hand-title = { $count ->
    [0] My hand: empty
    [one] My hand: 1 card
   *[other] My hand: { $count } cards
}
fresque-hand-empty = All your cards are on the timeline.
fresque-board-title = { $count ->
    [0] Team timeline: no cards
    [one] Team timeline: 1 card
   *[other] Team timeline: { $count } cards
}
fresque-board-hint = From earliest (top) to latest (bottom). Drag a card by its handle ⠿, or tap it to select it and then move it with the buttons.
fresque-board-empty = Drag a card from your hand here, or tap it and choose “Place”.
fresque-drag-title = Drag to move
fresque-card-board-label = { $term }, position { $n } of { $total }
fresque-card-hand-label = { $term }, in my hand
fresque-flip = Read the back of the card
fresque-flip-label = Read the back of the card “{ $term }”
fresque-selected = “{ $term }” is selected. The buttons to move it are at the bottom of the screen.
fresque-position = position { $n } of { $total }
fresque-in-hand = in my hand
fresque-actions-label = Move the selected card
fresque-move-up = Move up
fresque-move-down = Move down
fresque-move-first = First
fresque-move-last = Last
fresque-place-first = Place first
fresque-place-last = Place last
fresque-after-label = Place after…
fresque-after-first = At the start of the timeline
fresque-after-option = After “{ $term }”
fresque-move-here = Move
fresque-place-here = Place
fresque-return = Take back into my hand
fresque-deselect = Done
fresque-by-you = you
fresque-new-card = New card
fresque-offline = Connection lost: this move was not sent.
fresque-announce-after = { $name } put “{ $term }” after “{ $after }”.
fresque-announce-first = { $name } put “{ $term }” first.
fresque-announce-return = { $name } took “{ $term }” back into their hand.
fresque-announce-received = { $count ->
    [one] You received a card.
   *[other] You received { $count } cards.
}
fresque-announce-dealt = New pack dealt: { $name }.
fresque-announce-team = You are in { $team }.

## Reveal and debrief
fresque-result-title = Result
fresque-score = Score { $percent }% (0 = chance, 100 = reference) · { $agreeing } of { $pairs } pairs in the right order
fresque-score-none = Too few cards placed for a score
fresque-verdict-green = well placed
fresque-verdict-orange = { $count ->
    [one] 1 disagreement
   *[other] { $count } disagreements
}
fresque-verdict-red = { $count } disagreements
fresque-not-placed = not placed
fresque-debrief-step = Step { $n } of { $total } · rank { $rank }
fresque-debatable = { $count ->
    [one] Debatable: rank { $ranks } is accepted too.
   *[other] Debatable: ranks { $ranks } are accepted too.
}
fresque-reference-label = Reference order

## Console
fresque-console-no-teams = No teams yet
fresque-console-teams = { $count ->
    [one] 1 team
   *[other] { $count } teams
}
fresque-form-legend = Form teams
fresque-form-again = Form teams again (possible until the first pack)
fresque-form-by-count = Number of teams
fresque-form-by-size = People per team
fresque-form-number = Number
fresque-form-submit = Form teams
fresque-deal = Deal pack { $n } of { $total }: { $name }
fresque-deal-none = Every pack has been dealt
fresque-reveal = Reveal the results
fresque-reveal-confirm = Not every pack has been dealt. Reveal anyway? The timelines will be frozen.
fresque-debrief-title = Debrief:
fresque-debrief-start = Start the debrief
fresque-debrief-prev = Previous card
fresque-debrief-next = Next card
fresque-projector-label = On the projector:
fresque-show-all = All teams
fresque-move-member = Move to…
fresque-move-member-label = Move { $name } to another team
fresque-team-empty = Nobody in this team yet.
fresque-unassigned = No team:

## Projector
fresque-wait-teams-screen = Teams are about to be formed.

## Presence (console members, phone teammates)
fresque-here = here
fresque-away = away
fresque-teammates-title = My team
fresque-you-name = { $name } (you)
fresque-away-cards = { $count ->
    [one] their card goes to the team in { $seconds } s
   *[other] their { $count } cards go to the team in { $seconds } s
}
fresque-away-cards-soon = { $count ->
    [one] their card goes to the team any moment now
   *[other] their { $count } cards go to the team any moment now
}
fresque-release = Give their cards to the team now
fresque-release-label = Give their cards to the team now ({ $name })
fresque-grace-label = Wait before an away member's cards go to the team:
fresque-grace-now = none
fresque-grace-seconds = { $seconds } s
fresque-grace-minutes = { $minutes } min

## Reveal (issue 18): the podium, the teams' misplaced cards, the debrief card by card
fresque-hidden-until-reveal = The teams' timelines stay hidden until the reveal.
fresque-percent = { $percent }%
fresque-score-short-none = no score
fresque-podium-title = Podium
fresque-place = { $place ->
    [1] 1st place
    [2] 2nd place
    [3] 3rd place
    [21] 21st place
    [22] 22nd place
    [23] 23rd place
    [31] 31st place
    [32] 32nd place
    [33] 33rd place
    [41] 41st place
    [42] 42nd place
    [43] 43rd place
    [51] 51st place
    [52] 52nd place
    [53] 53rd place
    [61] 61st place
    [62] 62nd place
    [63] 63rd place
   *[other] { $place }th place
}
fresque-tied = (tied)
fresque-your-team = (your team)
fresque-your-place = { $place ->
    [1] 1st place
    [2] 2nd place
    [3] 3rd place
    [21] 21st place
    [22] 22nd place
    [23] 23rd place
    [31] 31st place
    [32] 32nd place
    [33] 33rd place
    [41] 41st place
    [42] 42nd place
    [43] 43rd place
    [51] 51st place
    [52] 52nd place
    [53] 53rd place
    [61] 61st place
    [62] 62nd place
    [63] 63rd place
   *[other] { $place }th place
} of { $teams ->
    [one] { $teams } team
   *[other] { $teams } teams
}
fresque-reveal-teams-title = The teams
fresque-misplaced-count = { $count ->
    [0] No misplaced cards
    [one] { $count } misplaced card
   *[other] { $count } misplaced cards
}
fresque-mark-misplaced = misplaced
fresque-right-teams = { $teams ->
    [one] { $right }/{ $teams } team placed it right
   *[other] { $right }/{ $teams } teams placed it right
}
fresque-right-nobody = No team placed it
fresque-misplaced-after = placed after “{ $term }” by { $team }
fresque-misplaced-first = placed first by { $team }
fresque-worst-title = The card your team got most wrong
fresque-worst-none = Your team misplaced no card: well done!
fresque-worst-yours-after = Your team put it in position { $n }, after “{ $term }”.
fresque-worst-yours-first = Your team put it first.
fresque-worst-reference-after = The reference puts it in position { $n } of { $total }, after “{ $term }”.
fresque-worst-reference-first = The reference puts it first.
fresque-cards-debrief-title = Cards to discuss
fresque-cards-debrief-hint = Most misplaced first. A card you choose is shown on the projector.
fresque-card-show-label = Show “{ $term }” in the debrief
fresque-cards-unplaced = { $count ->
    [one] And { $count } card no team placed (pack not dealt).
   *[other] And { $count } cards no team placed (packs not dealt).
}
